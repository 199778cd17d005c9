"""Mentions: posts as they travel through the pipeline, and their stored form."""
