"""Registers the built-in source kinds; imported by `build_source` before it looks a kind up."""

from __future__ import annotations

from flarewatch.sources.base import register_source
from flarewatch.sources.file import FileSource
from flarewatch.sources.rss import RssSource
from flarewatch.sources.scenario import ScenarioSource

register_source("file", FileSource.from_config)
register_source("rss", RssSource.from_config)
register_source("scenario", ScenarioSource.from_config)
