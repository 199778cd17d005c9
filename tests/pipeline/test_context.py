"""A workspace's compiled topics: one stored query the parser refuses leaves the others working."""

from __future__ import annotations

import logging

import pytest

from flarewatch.mentions.post import Post
from flarewatch.pipeline.context import build_matcher
from flarewatch.workspaces.models import Topic


def test_a_refused_stored_query_is_logged_and_the_other_topics_match(
    caplog: pytest.LogCaptureFixture,
) -> None:
    topics = [
        Topic(id=1, key="old", name="Old", query="acme AND title:-recall"),  # refused now
        Topic(id=2, key="brand", name="Brand", query="acme"),
    ]
    with caplog.at_level(logging.ERROR, logger="flarewatch.pipeline.context"):
        matcher = build_matcher(topics, "acme")
    assert matcher.match(Post(external_id="1", text="acme again", language="en")) == [2]
    [record] = caplog.records
    assert "topic 'old'" in record.getMessage() and "ambiguous" in record.getMessage()
