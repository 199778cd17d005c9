"""The file readers never let one record stop the others (issue 12, points 1, 5 and 6).

Regression tests for each reported case, then Hypothesis fuzzing of the JSONL, CSV and gzip
readers: junk mixed with good records, and damaged gzip streams. No exception but SourceError
(the whole file unusable) may escape, and every good record must come through.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from flarewatch.cli.main import app
from flarewatch.mentions.post import MAX_TEXT_CHARS, Post
from flarewatch.sources.base import SourceError, SourceProblem
from flarewatch.sources.file import FileSource, read_posts


def _settle(path: Path) -> None:
    """Date the file back, so FileSource reads it as complete (not still being written)."""
    old = time.time() - 3600
    os.utime(path, (old, old))


def _read(path: Path) -> tuple[list[Post], list[SourceProblem]]:
    posts: list[Post] = []
    problems: list[SourceProblem] = []
    for post, problem in read_posts(path):
        if post is not None:
            posts.append(post)
        if problem is not None:
            problems.append(problem)
    return posts, problems


def _fetch_all(path: Path, limit: int = 3) -> tuple[list[Post], list[SourceProblem]]:
    source = FileSource("fuzz", path)
    checkpoint = None
    posts: list[Post] = []
    problems: list[SourceProblem] = []
    for _ in range(10_000):
        result = source.fetch(checkpoint, limit=limit)
        posts.extend(result.posts)
        problems.extend(result.problems)
        checkpoint = result.checkpoint
        if result.exhausted:
            return posts, problems
    raise AssertionError("fetch never reached the end of the file")


# -- CSV -------------------------------------------------------------------------------------


def test_csv_unclosed_quote_is_reported_and_the_rows_after_it_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text('id,text\n1,hello\n2,"unclosed\n3,three\n4,four\n5,five\n', encoding="utf-8")
    posts, problems = _read(path)
    assert [(p.external_id, p.text) for p in posts] == [
        ("1", "hello"),
        ("3", "three"),
        ("4", "four"),
        ("5", "five"),
    ]
    [problem] = problems
    assert problem.where == "export.csv line 3" and "never closed" in problem.message
    _settle(path)
    fetched, fetched_problems = _fetch_all(path, limit=2)
    assert [p.external_id for p in fetched] == ["1", "3", "4", "5"]
    assert [p.where for p in fetched_problems] == ["export.csv line 3"]


def test_csv_multiline_text_at_the_end_is_not_an_unclosed_quote(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text('id,text\n1,"two\nlines"', encoding="utf-8")  # no final newline
    posts, problems = _read(path)
    assert problems == [] and [p.text for p in posts] == ["two\nlines"]


def test_csv_header_naming_a_column_twice_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("id,text,ID\n1,hello,x\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"'id' twice \(columns 1 and 3\)"):
        list(read_posts(path))


def test_csv_cell_of_ten_megabytes_is_truncated_not_refused(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(f'id,text\n1,"{"a" * 10_000_000}"\n2,after\n', encoding="utf-8")
    posts, problems = _read(path)
    assert problems == [] and [p.external_id for p in posts] == ["1", "2"]
    assert len(posts[0].text) == MAX_TEXT_CHARS and posts[0].truncated == {"text": 10_000_000}


# -- gzip ------------------------------------------------------------------------------------


def _jsonl(count: int) -> bytes:
    return b"".join(
        json.dumps({"id": f"g{i}", "text": f"post {i}"}).encode() + b"\n" for i in range(count)
    )


def test_truncated_gzip_keeps_its_readable_records(tmp_path: Path) -> None:
    whole = gzip.compress(_jsonl(2000))
    path = tmp_path / "posts.jsonl.gz"
    path.write_bytes(whole[: len(whole) // 2])
    posts, problems = _read(path)
    assert len(posts) > 100
    assert [p.external_id for p in posts] == [f"g{i}" for i in range(len(posts))]
    [problem] = problems
    assert problem.where == f"posts.jsonl.gz line {len(posts) + 1}"
    assert "ends early" in problem.message
    _settle(path)
    fetched, fetched_problems = _fetch_all(path, limit=500)
    assert len(fetched) == len(posts) and len(fetched_problems) == 1


def test_corrupt_gzip_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "posts.jsonl.gz"
    path.write_bytes(b"this is not gzip at all\n")
    with pytest.raises(SourceError, match="cannot be decompressed") as caught:
        list(read_posts(path))
    assert "\n" not in str(caught.value)


def test_ingest_of_a_corrupt_gzip_prints_one_error_line(tmp_path: Path) -> None:
    workspace = tmp_path / "acme.toml"
    workspace.write_text('slug = "acme"\nname = "Acme"\n[[topics]]\nkey = "b"\nquery = "acme"\n')
    runner = CliRunner()
    assert runner.invoke(app, ["workspace", "add", str(workspace)]).exit_code == 0
    path = tmp_path / "posts.jsonl.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00garbage-after-a-gzip-magic")
    result = runner.invoke(app, ["ingest", str(path)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and result.output.count("error:") == 1
    assert "posts.jsonl.gz" in result.output


# -- Hypothesis fuzz ---------------------------------------------------------------------------

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None
)
# Text a good record may hold: anything storable (no NUL; Hypothesis never draws surrogates).
GOOD_TEXT = st.text(
    st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)), min_size=1
).filter(str.strip)
JSON_JUNK = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
ANY_ZONE = st.builds(
    timezone, st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23))
)
# Times at the edges of what datetime holds, in any zone (year 1 at +05:00 is before year 1 UTC).
EDGE_TIMES = st.datetimes(timezones=ANY_ZONE).map(datetime.isoformat)
FIELDS = ["id", "text", "likes", "author_followers", "created_at", "links", "platform", "author"]
# A record valid but for one field: what reaches the field parsers, not only the JSON decoder.
# Values that broke the reader or the store before (NaN, 1e400 read as infinity, counts beyond
# 64 bits, NUL, a lone surrogate, huge numbers of digits), mixed with arbitrary JSON values.
HOSTILE = st.sampled_from(
    [math.nan, math.inf, -math.inf, -1, 2**64, 10**30, 1.5, "\x00", "a\ud800", "9" * 5000]
)
ONE_BAD_FIELD = st.tuples(
    st.sampled_from([*FIELDS[2:], "unknown"]), HOSTILE | JSON_JUNK | EDGE_TIMES
).map(lambda pair: json.dumps({"id": "junk", "text": "junk", pair[0]: pair[1]}).encode())
DEEP = st.integers(30, 3000).map(
    lambda n: b'{"id": "j", "text": "j", "n": ' + b"[" * n + b"]" * n + b"}"
)
JSONL_JUNK = (
    st.binary(max_size=80).map(lambda b: b.replace(b"\n", b" "))
    | JSON_JUNK.map(lambda v: json.dumps(v).encode())
    | st.dictionaries(st.sampled_from(FIELDS), JSON_JUNK).map(lambda d: json.dumps(d).encode())
    | ONE_BAD_FIELD
    | ONE_BAD_FIELD  # twice as likely: it reaches the field parsers
    | DEEP
)


@contextmanager
def _file(name: str, data: bytes) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_bytes(data)
        _settle(path)
        yield path


def _good_records(texts: list[str]) -> list[dict[str, object]]:
    return [{"id": f"good-{i}", "text": text, "likes": i} for i, text in enumerate(texts)]


@FUZZ
@given(
    texts=st.lists(GOOD_TEXT, max_size=8),
    junk=st.lists(JSONL_JUNK, max_size=8),
    order=st.randoms(use_true_random=False),
)
def test_fuzz_jsonl_good_records_survive_any_junk(
    texts: list[str], junk: list[bytes], order: object
) -> None:
    good = [json.dumps(r).encode() for r in _good_records(texts)]
    lines = good + junk
    order.shuffle(lines)  # type: ignore[attr-defined]
    with _file("posts.jsonl", b"\n".join(lines) + b"\n") as path:
        for posts, _ in (_read(path), _fetch_all(path)):
            by_id = {p.external_id: p for p in posts}
            for i, text in enumerate(texts):
                assert by_id[f"good-{i}"].text == text.strip()


# CSV junk without quotes or line breaks: a quote in junk may legitimately open a multi-line
# field that a later good row's quote closes (the unclosed case is tested above).
CSV_JUNK = st.text(
    st.characters(blacklist_characters='"\r\n\x00', blacklist_categories=("Cs",)), max_size=40
)


@FUZZ
@given(
    texts=st.lists(GOOD_TEXT, max_size=8),
    junk=st.lists(CSV_JUNK, max_size=8),
    order=st.randoms(use_true_random=False),
)
def test_fuzz_csv_good_rows_survive_any_junk(
    texts: list[str], junk: list[str], order: object
) -> None:
    out = io.StringIO()
    # Every cell quoted: csv.writer leaves a lone "\r" unquoted, which no reader accepts.
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    rows = []
    for record in _good_records(texts):
        writer.writerow([record["id"], record["text"], record["likes"]])
        rows.append(out.getvalue())
        out.seek(0)
        out.truncate()
    lines = rows + [line + "\n" for line in junk]
    order.shuffle(lines)  # type: ignore[attr-defined]
    data = ("id,text,likes\n" + "".join(lines)).encode("utf-8")
    with _file("posts.csv", data) as path:
        for posts, _ in (_read(path), _fetch_all(path)):
            texts_by_id = {p.external_id: p.text for p in posts}
            for i, text in enumerate(texts):
                # csv keeps line breaks inside quoted text; the reader strips the ends.
                assert texts_by_id[f"good-{i}"] == text.strip()


@FUZZ
@given(
    count=st.integers(1, 300),
    cut=st.floats(0, 1),
    flips=st.lists(st.tuples(st.floats(0, 1), st.integers(1, 255)), max_size=3),
)
def test_fuzz_damaged_gzip_keeps_a_prefix_and_never_raises(
    count: int, cut: float, flips: list[tuple[float, int]]
) -> None:
    data = bytearray(gzip.compress(_jsonl(count)))
    data = data[: int(len(data) * cut) + 1]
    for where, mask in flips:
        data[int(where * (len(data) - 1))] ^= mask
    with _file("posts.jsonl.gz", bytes(data)) as path:
        for read in (_read, _fetch_all):
            try:
                posts, problems = read(path)
            except SourceError as err:
                assert "\n" not in str(err)  # nothing readable: one clear line
                continue
            good = [p.external_id for p in posts if p.external_id.startswith("g")]
            if not flips:  # truncated only: exactly the records before the cut, then a problem
                assert good == [f"g{i}" for i in range(len(good))]
                assert len(good) == count or problems
