"""Importing Brandwatch, Talkwalker and Sprinklr queries."""

from __future__ import annotations

import pytest

from flarewatch.mentions.post import Post
from flarewatch.query import QuerySyntaxError, import_query, matches, parse

CASES = [
    (
        "brandwatch",
        "(apple OR orange) NEAR/5 (smartphone OR phone)",
        "(apple OR orange) NEAR/5 (smartphone OR phone)",
    ),
    ("brandwatch", "logitech NEAR/2f keyboard", "logitech ONEAR/2 keyboard"),
    ("brandwatch", '"apple juice"~5', '"apple juice"~5'),
    ("brandwatch", "raw:Google+ AND site:twitter.com", "raw:Google+ AND site:twitter.com"),
    ("brandwatch", "apple <<<the fruit, not the firm>>> AND NOT iphone", "apple AND NOT iphone"),
    (
        "brandwatch",
        "{Apple} AND language:en AND pageType:twitter",
        "{Apple} AND lang:en AND platform:twitter",
    ),
    ("brandwatch", "url:msn.com/news AND links:bbc.co.uk", "url:msn.com/news AND links:bbc.co.uk"),
    ("brandwatch", "apple AND -pie", "apple AND NOT pie"),
    ("talkwalker", "BMW AND NOT bike", "bmw AND NOT bike"),
    ("talkwalker", "chocolate -swiss", "chocolate AND NOT swiss"),
    ("talkwalker", 'BMW -site:"mysite.com"', "bmw AND NOT site:mysite.com"),
    ("talkwalker", "Luxemb* AND lang:fr", "luxemb* AND lang:fr"),
    ("talkwalker", "+apple", '"apple"'),
    ("talkwalker", "nike sourcetype:SOCIALMEDIA_TWITTER", "nike AND platform:twitter"),
    ("talkwalker", "nike domain_url:nike.com", "nike AND site:nike.com"),
    ("sprinklr", "[(iot OR robot) AND sensor]", "(iot OR robot) AND sensor"),
    ("sprinklr", '"social media" ONEAR/5 facebook', '"social media" ONEAR/5 facebook'),
    ("sprinklr", "author: acme AND language: en", "author:acme AND lang:en"),
    ("sprinklr", 'message: ("Gandalf" AND ("Frodo" OR "SAM"))', '"gandalf" AND ("frodo" OR "sam")'),
    ("sprinklr", 'exactMessage:"Spider-Man"', "raw:Spider-Man"),
    ("sprinklr", 'authorContaining:"Justin"', "author:*Justin*"),
    ("sprinklr", "me?t OR melt*", "me?t OR melt*"),
]


@pytest.mark.parametrize(("dialect", "source", "expected"), CASES, ids=[c[1] for c in CASES])
def test_import(dialect: str, source: str, expected: str) -> None:
    converted = import_query(source, dialect)
    assert converted == expected
    parse(converted)


@pytest.mark.parametrize(
    ("dialect", "source", "column"),
    [
        ("brandwatch", "apple AND authorGender:female", 11),
        ("sprinklr", "apple AND userbio:chef", 11),
        ("talkwalker", "[apple]", 1),
        ("brandwatch", "apple AND (pie", 11),
    ],
)
def test_import_errors(dialect: str, source: str, column: int) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        import_query(source, dialect)
    assert info.value.column == column


def test_unknown_dialect() -> None:
    with pytest.raises(ValueError, match="unknown dialect"):
        import_query("a", "meltwater")


def test_imported_query_matches() -> None:
    q = import_query('"apple juice"~2 AND -"orange juice" <<<no OJ>>>', "brandwatch")
    assert matches(q, Post(external_id="1", text="apple, tasty juice", language="en"))
    assert not matches(q, Post(external_id="2", text="apple juice and orange juice"))
