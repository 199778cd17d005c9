"""Runtimes: the in-process embedded runner (later: distributed workers) calling the pipeline."""
