from __future__ import annotations

import gzip
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from flarewatch.config.workspace import SourceConfig
from flarewatch.sources.base import Source, SourceError
from flarewatch.sources.file import FileSource, read_posts
from flarewatch.sources.registry import build_source


def _line(**record: Any) -> str:
    return json.dumps(record, ensure_ascii=False) + "\n"


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def test_jsonl_fields_are_read(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    _write(
        path,
        _line(
            id="a1",
            text="תולעת בהמבורגר!",
            author="@dana",
            author_followers="12,400",
            platform="Facebook",
            language="HE",
            country="il",
            created_at="2024-06-11T14:05:00+03:00",
            likes=3,
            links=["https://example.org/x"],
            extra="kept",
        )
        + _line(id=2, text="naive time", created_at="2024-06-11 11:05:00"),
    )
    results = list(read_posts(path))
    assert [problem for _, problem in results] == [None, None]
    first, second = (post for post, _ in results)
    assert first is not None and second is not None
    assert first.external_id == "a1" and first.author == "dana"
    assert first.author_followers == 12400 and first.likes == 3
    assert first.platform == "facebook" and first.language == "he" and first.country == "IL"
    assert first.created_at == datetime(2024, 6, 11, 11, 5, tzinfo=UTC)
    assert first.links == ["https://example.org/x"] and first.raw["extra"] == "kept"
    assert second.external_id == "2" and second.platform == "web"
    assert second.created_at == datetime(2024, 6, 11, 11, 5, tzinfo=UTC)


def test_malformed_lines_are_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl"
    lines = [_line(id=str(i), text=f"post {i}") for i in range(1, 21)]
    lines[16] = '{"id": "17", "text": "broken\n'
    lines[4] = "[1, 2]\n"
    lines[9] = _line(id="10", text="bad count", likes="many")
    lines[11] = _line(id="12")
    _write(path, "".join(lines))
    results = list(read_posts(path))
    problems = {p.where: p.message for _, p in results if p is not None}
    posts = [post.external_id for post, _ in results if post is not None]
    assert len(posts) == 16 and "16" in posts and "18" in posts
    assert set(problems) == {
        "posts.jsonl line 5",
        "posts.jsonl line 10",
        "posts.jsonl line 12",
        "posts.jsonl line 17",
    }
    assert problems["posts.jsonl line 17"].startswith("not valid JSON: ")
    assert problems["posts.jsonl line 17"].endswith("each line must be one JSON object")
    assert "likes" in problems["posts.jsonl line 10"]
    assert "text" in problems["posts.jsonl line 12"]


def test_csv_with_quotes_bom_and_multiline_text(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(
        b"\xef\xbb\xbfID,Text,Author,Likes,Created_At,Links\r\n"
        + '1,"שלום, עולם",@noa,5,2024-06-11T09:00:00Z,https://a.example https://b.example\r\n'.encode()
        + b'2,"two\nlines",bob,,,\r\n'
        + b"3,too,many,fields,here,x,y\r\n"
        + b"4,last line without newline,carol,1,2024-06-11T10:00:00Z,"
    )
    results = list(read_posts(path, default_platform="twitter"))
    posts = [post for post, _ in results if post is not None]
    problems = [problem for _, problem in results if problem is not None]
    assert [p.external_id for p in posts] == ["1", "2", "4"]
    assert posts[0].text == "שלום, עולם" and posts[0].author == "noa" and posts[0].likes == 5
    assert posts[0].links == ["https://a.example", "https://b.example"]
    assert posts[1].text == "two\nlines" and posts[1].platform == "twitter"
    assert len(problems) == 1 and problems[0].where == "export.csv line 5"
    assert "header has 6" in problems[0].message


def test_csv_without_id_column_is_a_source_error(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    _write(path, "text,author\nhello,bob\n")
    with pytest.raises(SourceError, match="no id column"):
        list(read_posts(path))


def test_gzip_jsonl(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        for i in range(5):
            handle.write(_line(id=str(i), text=f"gz {i}"))
    source = FileSource("gz", path)
    result = source.fetch(None, limit=3)
    assert [p.external_id for p in result.posts] == ["0", "1", "2"] and not result.exhausted
    result = source.fetch(result.checkpoint, limit=3)
    assert [p.external_id for p in result.posts] == ["3", "4"]
    assert source.fetch(result.checkpoint).posts == []


def test_unknown_extension_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="unknown file type"):
        FileSource("x", tmp_path / "posts.txt")
    with pytest.raises(SourceError, match="not found"):
        FileSource("x", tmp_path / "missing.jsonl").fetch(None)


def test_growing_file_resumes_without_loss_or_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    _write(path, _line(id="1", text="one") + _line(id="2", text="two"))
    source = FileSource("grow", path)
    first = source.fetch(None)
    assert [p.external_id for p in first.posts] == ["1", "2"]
    assert source.fetch(first.checkpoint).posts == []

    # A writer caught mid-line: the half line waits until it is complete.
    _append(path, _line(id="3", text="three") + '{"id": "4", "te')
    second = source.fetch(first.checkpoint)
    assert [p.external_id for p in second.posts] == ["3"]
    _append(path, 'xt": "four"}\n' + "not json\n" + _line(id="5", text="five"))
    third = source.fetch(second.checkpoint)
    assert [p.external_id for p in third.posts] == ["4", "5"]
    assert [p.where for p in third.problems] == ["feed.jsonl line 5"]

    # A complete last object without its newline is taken, and its newline is not a new line.
    _append(path, json.dumps({"id": "6", "text": "six"}))
    fourth = source.fetch(third.checkpoint)
    assert [p.external_id for p in fourth.posts] == ["6"]
    _append(path, "\n" + "oops\n")
    fifth = source.fetch(fourth.checkpoint)
    assert fifth.posts == [] and [p.where for p in fifth.problems] == ["feed.jsonl line 8"]


def test_replaced_file_starts_again(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    _write(path, _line(id="1", text="one") + _line(id="2", text="two"))
    source = FileSource("swap", path)
    checkpoint = source.fetch(None).checkpoint
    replacement = tmp_path / "new.jsonl"
    _write(replacement, _line(id="9", text="nine"))
    os.replace(replacement, path)
    assert [p.external_id for p in source.fetch(checkpoint).posts] == ["9"]


def test_csv_growing_file_with_open_quote_waits(tmp_path: Path) -> None:
    path = tmp_path / "feed.csv"
    _write(path, 'id,text\n1,one\n2,"multi\n')
    source = FileSource("csv", path)
    first = source.fetch(None)
    assert [p.external_id for p in first.posts] == ["1"]
    _append(path, 'line"\n3,three\n')
    second = source.fetch(first.checkpoint)
    assert [(p.external_id, p.text) for p in second.posts] == [("2", "multi\nline"), ("3", "three")]


def test_build_source_from_workspace_config(tmp_path: Path) -> None:
    _write(tmp_path / "posts.jsonl", _line(id="1", text="hello"))
    config = SourceConfig(key="import", kind="file", path="posts.jsonl", platform="reddit")
    source = build_source(config, tmp_path)
    assert isinstance(source, Source) and source.kind == "file"
    (post,) = source.fetch(None).posts
    assert post.platform == "reddit" and post.source_key == "import"


def test_settled_file_reports_its_unterminated_last_line(tmp_path: Path) -> None:
    path = tmp_path / "done.jsonl"
    _write(path, _line(id="1", text="one") + '{"id": "2", "text": ')
    source = FileSource("done", path)
    assert source.fetch(None).problems == []  # maybe still being written
    old = path.stat().st_mtime - 120
    os.utime(path, (old, old))
    result = source.fetch(None)
    assert [p.external_id for p in result.posts] == ["1"]
    assert [p.where for p in result.problems] == ["done.jsonl line 2"]
