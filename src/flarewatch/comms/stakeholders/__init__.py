"""Stakeholder updates: scheduled internal summaries of open cases (issue 21 §8)."""
