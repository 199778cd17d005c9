"""Accounts: people, their workspace roles, API tokens and the audit log."""
