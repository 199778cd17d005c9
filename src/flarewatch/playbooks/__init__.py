"""Playbooks: prepared crisis plans (shipped data files, workspace copies) applied to cases."""
