"""Flarewatch: social listening and online crisis management."""

__version__ = "0.1.0"
