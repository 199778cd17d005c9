"""Query tokenizer. Columns are 1-based and point at the first character of each lexeme."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from flarewatch.query.ast import FIELD_ALIASES, FIELDS
from flarewatch.query.errors import QuerySyntaxError


class Kind(Enum):
    LPAREN = "("
    RPAREN = ")"
    AND = "AND"
    OR = "OR"
    NOT = "NOT"
    NEAR = "NEAR"
    PHRASE = "phrase"
    CASE = "case"
    WORD = "word"
    FIELD = "field"
    EOF = "end of query"


@dataclass(frozen=True, slots=True)
class Lexeme:
    kind: Kind
    text: str
    column: int
    end: int  # column just after the lexeme
    distance: int = 0  # NEAR/n distance or phrase ~n slop (-1: no slop)
    ordered: bool = False


_NEAR_RE = re.compile(r"(O?NEAR)(?:/(\d+)(f?))?(?=[\s()\"{]|$)")
_SLOP_RE = re.compile(r"~(\d+)")
_FIELD_RE = re.compile(r"([A-Za-z]+):")
_WORD_RE = re.compile(r'[^\s()"{}“”]+')
_EXCLUDABLE = frozenset('"“”({#@_')
_KNOWN = FIELDS | set(FIELD_ALIASES)


def lex(query: str) -> list[Lexeme]:
    out: list[Lexeme] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        col = i + 1
        if ch.isspace():
            i += 1
        elif ch in "()":
            out.append(Lexeme(Kind.LPAREN if ch == "(" else Kind.RPAREN, ch, col, col + 1))
            i += 1
        elif ch in "[]":
            raise QuerySyntaxError(
                f"square bracket {ch!r} is not part of the syntax",
                col,
                query,
                "group with parentheses ( ) instead",
            )
        elif ch == "}":
            raise QuerySyntaxError(
                "unbalanced brace: '}' without a matching '{'",
                col,
                query,
                "case-sensitive terms are written {Term}",
            )
        elif ch == '"' or ch == "“" or ch == "”":
            i = _phrase(query, i, out)
        elif ch == "{":
            close = query.find("}", i + 1)
            if close < 0:
                raise QuerySyntaxError(
                    "unbalanced brace: '{' is never closed",
                    col,
                    query,
                    "case-sensitive terms are written {Term}",
                )
            out.append(Lexeme(Kind.CASE, query[i + 1 : close], col, close + 2))
            i = close + 1
        elif ch in "-!" and _starts_exclusion(query, i):
            # `-word` / `!word` exclude in every tool that writes them: never a search word.
            out.append(Lexeme(Kind.NOT, ch, col, col + 1))
            i += 1
        else:
            i = _word(query, i, out)
    out.append(Lexeme(Kind.EOF, "", n + 1, n + 1))
    return out


def _starts_exclusion(query: str, i: int) -> bool:
    """A `-` or `!` that opens a term: at a term boundary and glued to what it excludes."""
    if i > 0 and not (query[i - 1].isspace() or query[i - 1] == "("):
        return False
    nxt = query[i + 1] if i + 1 < len(query) else ""
    # Above U+2000: emoji and symbols, which are tokens too (`-🔥`).
    return bool(nxt) and (nxt.isalnum() or nxt in _EXCLUDABLE or ord(nxt) > 0x2000)


def _phrase(query: str, i: int, out: list[Lexeme]) -> int:
    col = i + 1
    close = -1
    for j in range(i + 1, len(query)):
        if query[j] in '"”“':
            close = j
            break
    if close < 0:
        raise QuerySyntaxError(
            "unbalanced quote: '\"' is never closed",
            col,
            query,
            'close the exact phrase with a second "',
        )
    text = query[i + 1 : close]
    end = close + 1
    slop = -1
    m = _SLOP_RE.match(query, end)
    if m:
        slop = int(m.group(1))
        end = m.end()
    elif end < len(query) and query[end] == "~":
        raise QuerySyntaxError(
            "'~' after a phrase needs a number",
            end + 1,
            query,
            'write "word1 word2"~5 for words within 5 of each other',
        )
    out.append(Lexeme(Kind.PHRASE, text, col, end + 1, distance=slop))
    return end


def _word(query: str, i: int, out: list[Lexeme]) -> int:
    col = i + 1
    m = _WORD_RE.match(query, i)
    j = m.end() if m else i + 1
    text = query[i:j]
    if text in ("AND", "OR", "NOT"):
        out.append(Lexeme(Kind[text], text, col, j + 1))
        return j
    if text == "&&":
        out.append(Lexeme(Kind.AND, text, col, j + 1))
        return j
    if text == "||":
        out.append(Lexeme(Kind.OR, text, col, j + 1))
        return j
    m = _NEAR_RE.match(text)
    if m and m.end() == len(text):
        if m.group(2) is None:
            raise QuerySyntaxError(
                f"{m.group(1)} needs a distance",
                col,
                query,
                f"write {m.group(1)}/5 for at most 5 words in between",
                width=len(text),
            )
        ordered = m.group(1) == "ONEAR" or m.group(3) == "f"
        out.append(Lexeme(Kind.NEAR, text, col, j + 1, distance=int(m.group(2)), ordered=ordered))
        return j
    fm = _FIELD_RE.match(text)
    if fm and fm.group(1).lower() in _KNOWN:
        name = fm.group(1).lower()
        name = FIELD_ALIASES.get(name, name)
        out.append(Lexeme(Kind.FIELD, name, col, col + fm.end()))
        if fm.end() == len(text) and (j >= len(query) or query[j].isspace() or query[j] == ")"):
            raise QuerySyntaxError(
                f"'{fm.group(0)}' needs a value right after the colon",
                col,
                query,
                f"for example {fm.group(0)}value, without a space",
                width=fm.end(),
            )
        after = i + fm.end()
        if after + 1 < len(query) and query[after] in "-!" and not query[after + 1].isspace():
            # `title:-word` reads as "title without word" to some and as the word "-word" to
            # others; neither guess may silently decide what the query matches.
            value = _WORD_RE.match(query, after + 1)
            rest = query[after + 1 : value.end()] if value else "word"
            raise QuerySyntaxError(
                f"'{query[after]}' right after '{fm.group(0)}' is ambiguous",
                after + 1,
                query,
                f"to exclude, put the sign before the field: -{fm.group(0)}{rest} "
                f"(NOT {fm.group(0)}{rest}); to look for the word, leave the sign out: "
                f"{fm.group(0)}{rest}",
            )
        return after
    out.append(Lexeme(Kind.WORD, text, col, j + 1))
    return j
