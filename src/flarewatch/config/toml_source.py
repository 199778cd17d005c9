"""Reading a TOML configuration file so that every problem in it can be reported at once.

`tomllib` stops at the first syntax error and keeps no positions, so a checker built on it alone
reports one problem per run and cannot say on which line a bad value is. This module adds the two
missing pieces: a line map from key paths (``("sources", 1, "url")``) to the line that sets them,
and a lenient read that comments out a line with a syntax error and reads on, so the rest of the
file is still checked in the same run.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any

KeyPath = tuple[str | int, ...]

# A bare, quoted or dotted key at the start of a `key = value` line.
_KEY_PART = r"(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')"
_KEY_LINE = re.compile(rf"^\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=")
_TABLE_LINE = re.compile(r"^\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(?:#.*)?$")
_POSITION = re.compile(r"\s*\(at line (\d+), column \d+\)$")
_END_OF_DOCUMENT = re.compile(r"\s*\(at end of document\)$")
# More syntax errors than this in one file means the reader is lost, not the user.
MAX_SYNTAX_ERRORS = 10


@dataclass(frozen=True, slots=True)
class ConfigProblem:
    """One problem in a configuration file: where (key path, line) and what to do about it.

    ``blocking`` is False for problems of the machine rather than of the file (a source file that
    is not there yet): `workspace check` reports them, but loading the workspace to run it goes
    on, and the source shows the problem in its health until it is fixed.
    """

    location: str
    message: str
    line: int | None = None
    blocking: bool = True

    def describe(self) -> str:
        where = ", ".join(
            part for part in (f"line {self.line}" if self.line else "", self.location) if part
        )
        return f"{where}: {self.message}" if where else self.message


def _key_parts(dotted: str) -> tuple[str, ...]:
    parts = re.findall(_KEY_PART, dotted)
    return tuple(p[1:-1] if p[:1] in "\"'" else p for p in parts)


class LineMap:
    """Which line of a TOML text sets each key path (the first line for repeated keys)."""

    def __init__(self, text: str) -> None:
        self.lines: dict[KeyPath, int] = {}
        self.key_on_line: dict[int, KeyPath] = {}
        self.table_lines: set[int] = set()
        prefix: KeyPath = ()
        array_counts: dict[tuple[str, ...], int] = {}
        open_quote: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            if open_quote is not None:  # inside a multi-line string: nothing here is a key
                if line.count(open_quote) % 2 == 1:
                    open_quote = None
                continue
            table = _TABLE_LINE.match(line)
            if table:
                names = _key_parts(table.group(2))
                if table.group(1) == "[[":
                    index = array_counts.get(names, 0)
                    array_counts[names] = index + 1
                    prefix = (*names, index)
                else:
                    prefix = names
                self.lines.setdefault(prefix, number)
                self.table_lines.add(number)
                continue
            key = _KEY_LINE.match(line)
            if key:
                path = (*prefix, *_key_parts(key.group(1)))
                self.lines.setdefault(path, number)
                self.key_on_line[number] = path
                value = line[key.end() :]
                for quote in ('"""', "'''"):
                    if value.count(quote) % 2 == 1:
                        open_quote = quote

    def line_of(self, path: KeyPath) -> int | None:
        """The line of `path`, or of its nearest enclosing key or table when it has none."""
        for end in range(len(path), 0, -1):
            found = self.lines.get(path[:end])
            if found is not None:
                return found
        return None


@dataclass(slots=True)
class TomlRead:
    data: dict[str, Any]
    line_map: LineMap
    problems: list[ConfigProblem]
    # Key paths whose line was left out for a syntax error: "missing" reports on them would
    # only repeat that error.
    skipped_keys: set[KeyPath]
    # False when the syntax errors could not be stepped over: the data is then empty, and
    # checking it would only report every field as missing.
    complete: bool = True


def read_toml_leniently(text: str) -> TomlRead:
    """Parse `text`; on a syntax error, report it, comment out its line and parse again.

    A syntax error on a table header (``[[sources]`` …) stops the recovery: without the header,
    the keys below it would land in the wrong table and every later report would be wrong.
    """
    lines = text.splitlines()
    problems: list[ConfigProblem] = []
    skipped: set[KeyPath] = set()
    line_map = LineMap(text)
    for _ in range(MAX_SYNTAX_ERRORS):
        try:
            return TomlRead(tomllib.loads("\n".join(lines)), line_map, problems, skipped)
        except tomllib.TOMLDecodeError as err:
            message = str(err)
            at_line = _POSITION.search(message)
            if at_line:
                number = int(at_line.group(1))
                message = message[: at_line.start()]
            else:
                # tomllib says "at end of document" for a value left open (a string, an array):
                # the last line with content is where it starts, or close to it.
                message = _END_OF_DOCUMENT.sub("", message)
                number = max((i for i, line in enumerate(lines, 1) if line.strip()), default=0)
            header = number in line_map.table_lines
            problems.append(
                ConfigProblem(
                    "(TOML syntax)",
                    f"not valid TOML: {message}; fix this line"
                    + (
                        " (the rest of the file is checked once this table header is fixed)"
                        if header
                        else ""
                    )
                    + " (see https://toml.io for the syntax)",
                    number or None,
                )
            )
            if header or not number or lines[number - 1].lstrip().startswith("#"):
                break
            if number in line_map.key_on_line:
                skipped.add(line_map.key_on_line[number])
            lines[number - 1] = "# " + lines[number - 1]
    return TomlRead({}, line_map, problems, skipped, complete=False)
