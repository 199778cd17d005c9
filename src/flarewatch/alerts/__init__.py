"""Alerts: raising, grouping, acknowledging and delivering them."""
