"""Other tools' exports read with their own dates: presets, sniffing, encodings, --map."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flarewatch.sources.base import SourceError
from flarewatch.sources.exports.mapping import parse_map
from flarewatch.sources.exports.sniff import sniff_format
from flarewatch.sources.exports.source import ExportPass, ExportSettings
from flarewatch.sources.file import FileSource

from .export_fixtures import (
    MELTWATER_COLUMNS,
    MENTION_COLUMNS,
    SPRINKLR_COLUMNS,
    talkwalker_line,
    write_brandwatch,
    write_facebook_comments,
    write_table,
    write_tweets_js,
)


def _read(path: Path, **settings: object) -> ExportPass:
    return ExportPass(path, ExportSettings(**settings), default_platform="web", source_key="t")  # type: ignore[arg-type]


def _all(path: Path, **settings: object) -> tuple[list, list, list]:
    export = _read(path, **settings)
    items = list(export)
    posts = [i.post for i in items if i.post is not None]
    problems = [i.problem for i in items if i.problem is not None]
    return posts, problems, export.warnings


BW_ROWS = [
    {
        "Date": "2024-03-05 14:30:00.0",
        "Full Text": "Kolejka w sklepie trwa godzinę",
        "Resource Id": "1765",
        "Author": "@ania_k",
        "Full Name": "Ania K",
        "Page Type": "twitter",
        "Language": "pl",
        "Country Code": "PL",
        "Sentiment": "negative",
        "Twitter Followers": "1,240",
        "Twitter Likes": "12",
        "Twitter Retweets": "3",
        "Url": "https://x.com/ania_k/status/1765",
        "Impact": "41.2",
    },
    {
        "Date": "2024-03-06 09:00:00.0",
        "Full Text": "התור בסניף ארוך מדי",
        "Resource Id": "1766",
        "Page Type": "news",
        "Country": "Israel",
        "Language": "he",
    },
]


def test_brandwatch_ui_export_keeps_dates_and_fields(tmp_path: Path) -> None:
    path = write_brandwatch(tmp_path / "bw.csv", BW_ROWS)
    assert sniff_format(path) == "brandwatch"
    posts, problems, warnings = _all(path)
    assert problems == []
    first, second = posts
    # The report's time zone (Europe/Warsaw, UTC+1 in March) applies to its zone-less dates.
    assert first.created_at == datetime(2024, 3, 5, 13, 30, tzinfo=UTC)
    assert first.external_id == "1765" and first.author == "ania_k"
    assert first.platform == "twitter" and first.language == "pl" and first.country == "PL"
    assert first.author_followers == 1240 and first.likes == 12 and first.shares == 3
    assert first.raw["tool_sentiment"] == "negative"
    assert first.raw["export"]["Impact"] == "41.2"  # unused columns are kept
    assert first.where == "bw.csv line 8"  # BOM, six report lines, the header, then the row
    assert second.text == "התור בסניף ארוך מדי" and second.platform == "news"
    assert second.country == "IL"  # from the country name
    [warning] = warnings  # the unused columns, listed once
    assert "not used" in warning.message and "Impact" in warning.message


def test_brandwatch_explicit_timezone_wins(tmp_path: Path) -> None:
    path = write_brandwatch(tmp_path / "bw.csv", BW_ROWS[:1])
    posts, _, _ = _all(path, format="brandwatch", timezone="Asia/Jerusalem")
    assert posts[0].created_at == datetime(2024, 3, 5, 12, 30, tzinfo=UTC)


def test_meltwater_utf16_with_tabs(tmp_path: Path) -> None:
    rows = [
        {
            "Date": "15-Jan-2024 09:30AM",
            "Headline": "Awaria w centrum",
            "Hit Sentence": "Znowu awaria sieci w Warszawie",
            "URL": "https://news.example.pl/a/1",
            "Source": "Online News",
            "Influencer": "Redakcja",
            "Country": "Poland",
            "Language": "Polish",
            "Reach": "52000",
            "Sentiment": "Negative",
            "AVE": "120.5",
        },
        {
            "Date": "16-Jan-2024 11:05PM",
            "Hit Sentence": "Great service today",
            "URL": "https://x.com/b/status/2",
            "Source": "Twitter",
            "Country": "United States",
            "Language": "English",
            "Tweet Id": "2",
            "Twitter Screen Name": "bob",
        },
    ]
    for name, encoding in (("mw16.csv", "utf-16"), ("mw16le.csv", "utf-16-le")):
        path = write_table(
            tmp_path / name, MELTWATER_COLUMNS, rows, delimiter="\t", encoding=encoding
        )
        assert sniff_format(path) == "meltwater"
        posts, problems, _ = _all(path, timezone="Europe/Warsaw")
        assert problems == []
        first, second = posts
        assert first.created_at == datetime(2024, 1, 15, 8, 30, tzinfo=UTC)
        assert first.text == "Znowu awaria sieci w Warszawie" and first.title == "Awaria w centrum"
        assert (first.country, first.language, first.platform) == ("PL", "pl", "news")
        assert first.external_id == "https://news.example.pl/a/1"  # no id column: the URL
        assert first.views == 52000 and first.raw["tool_sentiment"] == "Negative"
        assert second.created_at == datetime(2024, 1, 16, 22, 5, tzinfo=UTC)
        assert (second.external_id, second.author, second.platform) == ("2", "bob", "twitter")
        assert second.country == "US" and second.language == "en"


def test_sprinklr_semicolons_and_mention(tmp_path: Path) -> None:
    sprinklr = write_table(
        tmp_path / "spr.csv",
        SPRINKLR_COLUMNS,
        [
            {
                "Universal Message Id": "TWITTER_1_99",
                "Social Network": "TWITTER",
                "Message": "Where is my parcel; still waiting",
                "Created Time": "03/05/2024 02:30:00 PM",
                "Sender Screen Name": "carol",
                "Sender Followers Count": "77",
                "Sentiment": "NEGATIVE",
            }
        ],
        delimiter=";",
    )
    assert sniff_format(sprinklr) == "sprinklr"
    [post], problems, _ = _all(sprinklr)
    assert problems == []
    assert post.created_at == datetime(2024, 3, 5, 14, 30, tzinfo=UTC)  # month first
    assert post.text == "Where is my parcel; still waiting" and post.author_followers == 77
    assert post.platform == "twitter"

    mention = write_table(
        tmp_path / "mention.csv",
        MENTION_COLUMNS,
        [
            {
                "Alert Name": "acme",
                "Mention ID": "m-1",
                "Published At": "2024-03-05T14:30:00+02:00",
                "Description": "acme launched a new app",
                "Source Type": "blog",
                "Author Handle": "dave",
                "Tone": "positive",
            }
        ],
    )
    assert sniff_format(mention) == "mention"
    [post], problems, _ = _all(mention)
    assert problems == [] and post.external_id == "m-1" and post.platform == "blog"
    assert post.created_at == datetime(2024, 3, 5, 12, 30, tzinfo=UTC)
    assert post.raw["tool_sentiment"] == "positive"


def test_talkwalker_api_jsonl(tmp_path: Path) -> None:
    lines = [
        json.dumps({"chunk_type": "CT_CONTROL", "chunk_control": {"resume_offset": "x"}}),
        talkwalker_line(
            {
                "url": "https://x.com/e/status/5",
                "published": 1709649000000,
                "title": "",
                "content": "acme app keeps crashing",
                "lang": "en",
                "source_type": ["SOCIALMEDIA", "SOCIALMEDIA_TWITTER"],
                "sentiment": -5,
                "reach": 900,
                "extra_author_attributes": {"name": "Eve", "short_name": "eve"},
                "extra_source_attributes": {"world_data": {"country_code": "gb"}},
            }
        ),
        "{not json",
    ]
    path = tmp_path / "tw.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert sniff_format(path) == "talkwalker"
    [post], [problem], _ = _all(path)
    assert post.created_at == datetime(2024, 3, 5, 14, 30, tzinfo=UTC)
    assert (post.author, post.author_name, post.platform) == ("eve", "Eve", "twitter")
    assert post.country == "GB" and post.views == 900 and post.raw["tool_sentiment"] == -5
    assert problem.where == "tw.jsonl line 3" and "not valid JSON" in problem.message


def test_x_archive_tweets_js(tmp_path: Path) -> None:
    path = write_tweets_js(
        tmp_path / "tweets.js",
        [
            {
                "id_str": "1700000000000000001",
                "full_text": "Hello from the archive",
                "created_at": "Tue Mar 05 14:30:00 +0000 2024",
                "favorite_count": "4",
                "retweet_count": "1",
                "lang": "en",
                "entities": {
                    "urls": [{"url": "https://t.co/x", "expanded_url": "https://a.example/"}]
                },
            }
        ],
    )
    assert sniff_format(path) == "x-archive"
    [post], problems, _ = _all(path)
    assert problems == []
    assert post.created_at == datetime(2024, 3, 5, 14, 30, tzinfo=UTC)
    assert post.likes == 4 and post.shares == 1 and post.platform == "twitter"
    assert post.url == "https://x.com/i/web/status/1700000000000000001"
    assert post.links == ["https://a.example/"]


def test_facebook_dyi_comments_undo_the_escaped_utf8(tmp_path: Path) -> None:
    path = write_facebook_comments(
        tmp_path / "comments.json",
        [(1709649000, "Zażółć gęślą jaźń", "Łukasz"), (1709650000, "שלום לכולם", "דנה")],
    )
    assert sniff_format(path) == "facebook-dyi"
    posts, problems, _ = _all(path)
    assert problems == []
    assert [p.text for p in posts] == ["Zażółć gęślą jaźń", "שלום לכולם"]
    assert posts[0].author_name == "Łukasz" and posts[0].platform == "facebook"
    assert posts[0].created_at == datetime(2024, 3, 5, 14, 30, tzinfo=UTC)
    assert posts[0].external_id != posts[1].external_id  # ids from the content, stable


def test_json_archives_stream_one_record_at_a_time(tmp_path: Path) -> None:
    """tweets.js and comments.json are parsed as they are read: the records before a damaged
    tail arrive before the error, which only reading in a stream allows."""
    tweets = [
        {
            "id_str": str(n),
            "full_text": f"tweet {n}",
            "created_at": "Tue Mar 05 14:30:00 +0000 2024",
        }
        for n in range(1, 4)
    ]
    path = write_tweets_js(tmp_path / "tweets.js", tweets)
    body = path.read_text(encoding="utf-8")
    path.write_text(body[: body.rindex("}")] + "} , {]", encoding="utf-8")  # cut off, damaged
    export = iter(_read(path, format="x-archive"))
    first = [next(export).post for _ in range(3)]
    assert [p.text for p in first if p is not None] == ["tweet 1", "tweet 2", "tweet 3"]
    with pytest.raises(SourceError, match="not valid JSON after record 3"):
        next(export)


def test_facebook_dyi_older_key_and_top_level_list(tmp_path: Path) -> None:
    written = write_facebook_comments(tmp_path / "c.json", [(1709649000, "pierwszy", "Ola")])
    item = json.loads(written.read_text(encoding="utf-8"))["comments_v2"][0]
    for name, document in (("old.json", {"comments": [item]}), ("list.json", [item])):
        path = tmp_path / name
        path.write_text(json.dumps(document), encoding="utf-8")
        [post], problems, _ = _all(path, format="facebook-dyi")
        assert problems == [] and post.text == "pierwszy" and post.author_name == "Ola"


def test_xlsx_export(tmp_path: Path) -> None:
    from openpyxl import Workbook

    from .export_fixtures import BRANDWATCH_COLUMNS, BRANDWATCH_PREAMBLE, brandwatch_row

    book = Workbook()
    sheet = book.active
    for line in BRANDWATCH_PREAMBLE:
        sheet.append(line.split(",") if line else [None])
    sheet.append(BRANDWATCH_COLUMNS)
    row = brandwatch_row(**{"Full Text": "from a workbook", "Page Type": "reddit"})
    row = [None if v == "" else v for v in row]
    row[BRANDWATCH_COLUMNS.index("Date")] = datetime(2024, 7, 1, 12, 0)  # a real date cell
    row[BRANDWATCH_COLUMNS.index("Resource Id")] = 987654321  # a number cell
    sheet.append(row)
    path = tmp_path / "bw.xlsx"
    book.save(path)
    assert sniff_format(path) == "brandwatch"
    [post], problems, _ = _all(path, timezone="UTC")
    assert problems == []
    assert post.created_at == datetime(2024, 7, 1, 12, 0, tzinfo=UTC)
    assert post.external_id == "987654321" and post.platform == "reddit"


def test_map_bad_dates_and_bad_rows_are_named(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text(
        "Post,When,Who,Extra\n"
        "first post,2024-03-05 14:30,ann,x\n"
        "second post,32/13/2024,bob,y\n"
        "third post,,cy,z\n"
        "broken,row\n"
        "fourth post,05.03.2024 16:00,dan,w\n",
        encoding="utf-8",
    )
    with pytest.raises(SourceError, match="--format"):
        sniff_format(path)
    posts, problems, warnings = _all(
        path, format="csv", mapping=parse_map("text=Post,created_at=When,author=Who")
    )
    assert [p.text for p in posts] == ["first post", "fourth post"]
    assert posts[1].created_at == datetime(2024, 3, 5, 16, 0, tzinfo=UTC)  # day first
    wheres = [p.where for p in problems]
    assert wheres == ["other.csv line 3", "other.csv line 4", "other.csv line 5"]
    assert "'When'" in problems[0].message and "'32/13/2024'" in problems[0].message
    assert "no date" in problems[1].message  # never the import time
    assert "fields" in problems[2].message
    assert "Extra" in warnings[0].message


def test_map_errors_are_clear(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("Post,When\nhello,2024-01-01\n", encoding="utf-8")
    with pytest.raises(SourceError, match="no column 'Body'"):
        list(_read(path, format="csv", mapping={"text": "Body", "created_at": "When"}))
    with pytest.raises(SourceError, match="--map created_at=COLUMN"):
        list(_read(path, format="csv", mapping={"text": "Post"}))
    with pytest.raises(ValueError, match="not a field"):
        parse_map("txt=Post")
    with pytest.raises(ValueError, match="FIELD=COLUMN"):
        parse_map("text")


def test_file_source_resumes_an_export_in_batches(tmp_path: Path) -> None:
    rows = [
        {
            "Date": f"2024-03-{day:02d} 10:00:00.0",
            "Full Text": f"post {day}",
            "Resource Id": str(day),
        }
        for day in range(1, 8)
    ]
    plain = write_brandwatch(tmp_path / "bw.csv", rows)
    path = tmp_path / "bw.csv.gz"
    path.write_bytes(gzip.compress(plain.read_bytes()))
    source = FileSource("import", path, export=ExportSettings("auto", {}, "UTC"))
    checkpoint, seen, warnings = None, [], []
    for _ in range(10):
        result = source.fetch(checkpoint, limit=3)
        seen += [p.external_id for p in result.posts]
        warnings += result.warnings
        checkpoint = result.checkpoint
        if result.exhausted:
            break
    assert seen == [str(day) for day in range(1, 8)]
    assert checkpoint is not None and checkpoint["record"] == 7
    assert len(warnings) == 1  # 'not used' once, not once per batch
    # A fresh source (another process) resumes from the checkpoint, not from the start.
    again = FileSource("import", path, export=ExportSettings("brandwatch", {}, "UTC"))
    assert again.fetch(checkpoint, limit=3).posts == []


def test_file_source_export_keys_in_a_workspace_file(tmp_path: Path) -> None:
    from flarewatch.config.workspace import SourceConfig
    from flarewatch.sources.registry import build_source

    path = tmp_path / "talkwalker.csv"
    path.write_text(
        "url,published,content,source_type,lang\n"
        "https://n.example/1,1709649000000,acme outage again,ONLINE_NEWS,pl\n",
        encoding="utf-8",
    )
    config = SourceConfig(
        key="tw",
        kind="file",
        path="talkwalker.csv",
        format="talkwalker",
        map={"title": "url"},
        timezone="Asia/Jerusalem",
    )
    source = build_source(config, tmp_path)
    [post] = source.fetch(None).posts
    assert post.platform == "news" and post.title == "https://n.example/1"
    assert post.created_at == datetime(2024, 3, 5, 14, 30, tzinfo=UTC)
    for bad, message in (
        ({"format": "excel"}, "not one of"),
        ({"map": {"txt": "Body"}}, "not a field"),
        ({"timezone": "Mars/Base"}, "not a known time zone"),
    ):
        with pytest.raises(ValueError, match=message):
            SourceConfig(key="x", kind="file", path="a.csv", **bad).options()


def test_a_row_in_another_encoding_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        b"id,text,created_at\n"
        b"1,fine,2024-03-05T10:00:00Z\n"
        + "2,zażółć,2024-03-05T11:00:00Z\n".encode("cp1250")
        + b"3,also fine,2024-03-05T12:00:00Z\n"
    )
    posts, problems, _ = _all(path, format="csv")
    assert [p.external_id for p in posts] == ["1", "3"]
    [problem] = problems
    assert problem.where == "mixed.csv line 3" and "UTF-8" in problem.message


def test_unknown_format_and_empty_archive_are_clear(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("id,text,created_at\n1,a,2024-01-01\n", encoding="utf-8")
    with pytest.raises(ValueError, match="brandwatch"):
        _read(path, format="excel")
    archive = tmp_path / "comments.json"
    archive.write_text('{"comments_v2": []}', encoding="utf-8")
    with pytest.raises(SourceError, match="holds no"):
        list(_read(archive))
