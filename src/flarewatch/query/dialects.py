"""Import queries written for Brandwatch, Talkwalker and Sprinklr.

The three share the Boolean core with Flarewatch (AND OR NOT, quotes, parentheses, * and ?,
NEAR/n), so conversion is a scan that rewrites only what differs: field names and values,
exclusion prefixes, comments, brackets. The result is parsed and rendered canonically, so an
import either yields a valid Flarewatch query or raises QuerySyntaxError with a column.
"""

from __future__ import annotations

import re

from flarewatch.query.errors import QuerySyntaxError
from flarewatch.query.parser import parse
from flarewatch.query.render import render

DIALECTS = ("brandwatch", "talkwalker", "sprinklr")

# Field names per dialect -> Flarewatch field ("" drops the field and keeps its value as text).
_FIELDS: dict[str, dict[str, str]] = {
    "brandwatch": {
        "author": "author",
        "site": "site",
        "url": "url",
        "title": "title",
        "links": "links",
        "raw": "raw",
        "language": "lang",
        "lang": "lang",
        "country": "country",
        "pagetype": "platform",
        "domain": "site",
    },
    "talkwalker": {
        "author": "author",
        "site": "site",
        "url": "url",
        "title": "title",
        "lang": "lang",
        "language": "lang",
        "country": "country",
        "sourcetype": "platform",
        "domain_url": "site",
        "host_url": "site",
        "domain": "site",
    },
    "sprinklr": {
        "author": "author",
        "site": "site",
        "url": "url",
        "title": "title",
        "language": "lang",
        "country": "country",
        "message": "",
        "exactmessage": "raw",
        "exactcontent": "raw",
        "authorcontaining": "author*",
    },
}

# Source-type vocabularies -> Post.platform values.
_PLATFORMS = {
    "socialmedia_twitter": "twitter",
    "socialmedia_facebook": "facebook",
    "socialmedia_instagram": "instagram",
    "socialmedia_youtube": "youtube",
    "socialmedia_reddit": "reddit",
    "socialmedia_tiktok": "tiktok",
    "socialmedia_linkedin": "linkedin",
    "online_news": "news",
    "news": "news",
    "blog": "blog",
    "blogs": "blog",
    "forum": "forum",
    "forums": "forum",
    "review": "review",
    "reviews": "review",
    "twitter": "twitter",
    "x": "twitter",
    "facebook": "facebook",
    "instagram": "instagram",
    "youtube": "youtube",
    "reddit": "reddit",
    "tiktok": "tiktok",
    "tumblr": "tumblr",
    "linkedin": "linkedin",
    "qq": "qq",
}

_SCAN = re.compile(
    r"""(?P<comment><<<.*?>>>)
      | (?P<quote>["“”][^"“”]*["“”](?:~\d+)?)
      | (?P<case>\{[^}]*\})
      | (?P<field>(?<![\w:/.])[A-Za-z_]+:[ \t]*)
      | (?P<sign>(?:(?<=^)|(?<=[\s(\[]))[-+!](?=[\w"“{(#@]))
      | (?P<bracket>[\[\]])
      | (?P<other>[^\s"“”{<\[\]]+|\s+|<)""",
    re.VERBOSE | re.DOTALL,
)
_VALUE = re.compile(r'["“”][^"“”]*["“”]|\([^()]*\)|[^\s()]+')


def import_query(text: str, dialect: str) -> str:
    """Convert a query from `dialect` (brandwatch, talkwalker or sprinklr) to Flarewatch syntax."""
    dialect = dialect.strip().lower()
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}; choose one of {', '.join(DIALECTS)}")
    fields = _FIELDS[dialect]
    out: list[str] = []
    pos = 0
    while pos < len(text):
        m = _SCAN.match(text, pos)
        if m is None:  # pragma: no cover - the 'other' branch matches any character
            raise QuerySyntaxError("cannot read the query here", pos + 1, text)
        kind, piece = m.lastgroup, m.group()
        pos = m.end()
        if kind == "comment":
            out.append(" ")
        elif kind == "bracket":
            if dialect != "sprinklr":
                raise QuerySyntaxError(
                    f"square bracket {piece!r} is not part of the syntax",
                    m.start() + 1,
                    text,
                    "group with parentheses ( ) instead",
                )
            out.append("(" if piece == "[" else ")")
        elif kind == "sign" and piece == "+" and dialect == "talkwalker":
            # +word asks for the exact form: a quoted word is not stemmed in Flarewatch.
            vm = _VALUE.match(text, pos)
            value = vm.group() if vm else ""
            out.append(value if value[:1] in '"“”(' else f'"{value}"')
            pos = vm.end() if vm else pos
        elif kind == "sign":
            out.append(_sign(piece, dialect, text, m.start()))
        elif kind == "field":
            pos = _field(text, m, fields, dialect, out)
        else:
            out.append(piece)
    converted = "".join(out).strip()
    try:
        return render(parse(converted))
    except QuerySyntaxError as err:
        raise QuerySyntaxError(
            f"{err.message} (in the converted query)", err.column, converted, err.hint, err.width
        ) from err


def _sign(piece: str, dialect: str, text: str, start: int) -> str:
    if piece == "-":
        return "NOT "  # Talkwalker and Brandwatch (AND -word) exclusion
    raise QuerySyntaxError(
        f"{dialect.title()} prefix {piece!r} has no Flarewatch equivalent", start + 1, text
    )


def _field(
    text: str, m: re.Match[str], fields: dict[str, str], dialect: str, out: list[str]
) -> int:
    name = m.group().split(":", 1)[0]
    target = fields.get(name.lower())
    if target is None:
        raise QuerySyntaxError(
            f"{dialect.title()} operator '{name}:' has no Flarewatch equivalent",
            m.start() + 1,
            text,
            _supported(fields),
            len(name) + 1,
        )
    pos = m.end()
    end = _value_end(text, pos)
    if end == pos:
        raise QuerySyntaxError(f"'{name}:' needs a value", m.start() + 1, text)
    value = text[pos:end]
    if target == "":
        out.append(value)
    elif target == "author*":
        out.append(f"author:*{value.strip(chr(34))}*")
    elif target == "platform":
        out.append("platform:" + _platform(value))
    else:
        out.append(f"{target}:{value}")
    return end


def _value_end(text: str, pos: int) -> int:
    """End of a field value: a quoted string, a balanced (...) group or a bare word."""
    if pos < len(text) and text[pos] == "(":
        depth = 0
        for i in range(pos, len(text)):
            if text[i] == "(":
                depth += 1
            elif text[i] == ")":
                depth -= 1
                if depth == 0:
                    return i + 1
        return len(text)  # unbalanced: the parser reports it on the converted query
    vm = _VALUE.match(text, pos)
    return vm.end() if vm else pos


def _platform(value: str) -> str:
    if value.startswith("("):
        inner = re.sub(
            r"[\w.]+",
            lambda w: (
                _PLATFORMS.get(w.group().lower(), w.group().lower())
                if w.group() not in ("OR", "AND", "NOT")
                else w.group()
            ),
            value,
        )
        return inner
    return _PLATFORMS.get(value.strip('"').lower(), value.strip('"').lower())


def _supported(fields: dict[str, str]) -> str:
    return "supported here: " + ", ".join(f"{k}:" for k in sorted(fields))
