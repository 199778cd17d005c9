"""Workspaces: one per client brand, with its topics."""
