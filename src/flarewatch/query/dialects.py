"""Import queries written for Brandwatch, Talkwalker, Sprinklr, Meltwater, Google and X.

They share the Boolean core with Flarewatch (AND OR NOT, quotes, parentheses, * and ?,
NEAR/n), so conversion is a scan that rewrites only what differs: field names and values,
exclusion prefixes, comments, brackets, proximity spellings. Every operator a dialect has is
either mapped exactly or rejected with its column and the nearest Flarewatch form; nothing the
scan does not understand is passed on as search words. The result is parsed, adjusted where the
dialect's field semantics differ (repeated site: terms) and rendered canonically. Every change
that is not a pure spelling is recorded in `ImportResult.changes` for the user to review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flarewatch.query.ast import And, Field, Node, Not, Or, is_positional
from flarewatch.query.dialect_rules import (
    DEFAULT_NEAR,
    DIALECTS,
    FIELDS,
    LOWER_CASE_OPERATORS,
    OR_BINDS_TIGHTER,
    PLATFORMS,
    REJECTED,
    SITES_ORED,
    SLOP_DIFFERS,
    guess_dialect,
)
from flarewatch.query.errors import QueryProblem, QuerySyntaxError
from flarewatch.query.parser import parse, parse_with_warnings
from flarewatch.query.render import render
from flarewatch.query.view import normalize_site

__all__ = ["DIALECTS", "ImportResult", "convert_query", "import_query"]

_SCAN = re.compile(
    r"""(?P<comment><<<.*?>>>)
      | (?P<quote>["“”][^"“”]*["“”](?:~\d+)?)
      | (?P<case>\{[^}]*\})
      | (?P<field>(?<![\w:/.])[A-Za-z_]+:[ \t]*)
      | (?P<sign>(?:(?<=^)|(?<=[\s(\[]))[-+!](?=[\w"“{(#@]))
      | (?P<bracket>[\[\]])
      | (?P<around>AROUND\(\d+\))
      | (?P<paren>[()])
      | (?P<tilde>~\d*)
      | (?P<boost>\^\d*(?:\.\d+)?)
      | (?P<other>[^\s"“”{<\[\]()~^]+|\s+|<)""",
    re.VERBOSE | re.DOTALL,
)
_VALUE = re.compile(r'["“”][^"“”]*["“”]|\([^()]*\)|[^\s()]+')
_SLASH_DISTANCE = re.compile(r"(?i)w?/(\d+)$")
_NEAR_WORD = re.compile(r"(?i)(o?near)(/\d+f?)?$")


@dataclass(frozen=True, slots=True)
class ImportResult:
    """A converted query, the dialect it was read as, and what the import changed."""

    query: str
    dialect: str
    changes: tuple[str, ...] = ()
    # `check`'s warnings for the converted text (before canonical rendering adds parentheses).
    converted: str = ""
    warnings: tuple[QueryProblem, ...] = ()


def import_query(text: str, dialect: str) -> str:
    """Convert a query from `dialect` (see DIALECTS, or "auto") to Flarewatch syntax."""
    return convert_query(text, dialect).query


def convert_query(text: str, dialect: str) -> ImportResult:
    """Convert a query and report the dialect used and every change of form worth reviewing."""
    dialect = dialect.strip().lower()
    changes: list[str] = []
    if dialect == "auto":
        dialect, why = guess_dialect(text)
        changes.append(f"read as {dialect} ({why})")
    if dialect not in DIALECTS:
        raise ValueError(
            f"unknown dialect {dialect!r}; choose one of {', '.join(DIALECTS)} or auto"
        )
    scan = _Scan(text, dialect, changes)
    converted = scan.run()
    try:
        node, warnings = parse_with_warnings(converted)
    except QuerySyntaxError as err:
        # Point at what the user typed: the converted text is not what they see.
        column = scan.source_column(err.column)
        raise QuerySyntaxError(err.message, column, text, err.hint, err.width) from err
    if dialect in OR_BINDS_TIGHTER and any("AND binds tighter" in w.message for w in warnings):
        first_or = re.search(r"(?<=\s)(?:OR|\|)(?=\s)", text)
        raise QuerySyntaxError(
            f"{dialect.title()} reads OR before AND, Flarewatch AND before OR",
            first_or.start() + 1 if first_or else 1,
            text,
            "add parentheses around the OR group: jaguar (car OR cat)",
        )
    if dialect in SITES_ORED:
        node, ored = _or_repeated_sites(node)
        if ored:
            changes.append(
                f"{ored} site: terms side by side read as any of them, as {dialect} does"
            )
    ordered = tuple(sorted(warnings, key=lambda w: w.column))
    return ImportResult(render(node), dialect, tuple(dict.fromkeys(changes)), converted, ordered)


@dataclass
class _Scan:
    text: str
    dialect: str
    changes: list[str]
    out: list[str] = field(default_factory=list)
    # (offset in the joined output, start and end in the source) of each scanned piece.
    marks: list[tuple[int, int, int]] = field(default_factory=list)
    lead: int = 0  # leading spaces stripped from the output

    def error(self, message: str, start: int, hint: str | None = None, width: int = 1) -> None:
        raise QuerySyntaxError(message, start + 1, self.text, hint, width)

    def run(self) -> str:
        text, pos = self.text, 0
        while pos < len(text):
            m = _SCAN.match(text, pos)
            if m is None:  # pragma: no cover - the 'other' branch matches any character
                raise QuerySyntaxError("cannot read the query here", pos + 1, text)
            kind, piece = m.lastgroup, m.group()
            pos = m.end()
            self.marks.append((sum(map(len, self.out)), m.start(), m.end()))
            if kind == "quote" and "~" in piece and self.dialect in SLOP_DIFFERS:
                tilde = piece.rindex("~")
                self.error(
                    f'{self.dialect.title()}\'s "…"~n counts distance differently by word order',
                    m.start() + tilde,
                    "write word1 NEAR/n word2 (either order) or word1 ONEAR/n word2 (in order)",
                    len(piece) - tilde,
                )
            if kind == "quote" and self.dialect == "google" and " * " in f" {piece[1:-1]} ":
                self.error(
                    "Google's * inside quotes stands for any word; Flarewatch has no word "
                    "placeholder",
                    m.start() + piece.index("*"),
                    'join the parts by distance: "best" NEAR/2 "ever"',
                )
            if kind == "comment":
                self.out.append(" ")
            elif kind == "bracket":
                self.bracket(piece, m.start())
            elif kind == "sign":
                pos = self.sign(piece, m.start(), pos)
            elif kind == "field":
                pos = self.field(m)
            elif kind == "around":
                distance = piece[7:-1]
                if self.dialect != "google":
                    self.error(
                        f"'{piece}' is not an operator in {self.dialect}",
                        m.start(),
                        f"write word1 NEAR/{distance} word2",
                        len(piece),
                    )
                self.out.append(f" NEAR/{distance} ")
                self.changes.append(f"AROUND({distance}) read as NEAR/{distance}")
            elif kind == "tilde":
                self.tilde(piece, m.start())
            elif kind == "boost":
                self.error(
                    f"'{piece}' is a ranking boost; Flarewatch does not rank, so it cannot "
                    "change what matches",
                    m.start(),
                    f"remove {piece!r}",
                    len(piece),
                )
            elif kind == "other":
                self.other(piece, m.start())
            else:
                self.out.append(piece)
        joined = "".join(self.out)
        self.lead = len(joined) - len(joined.lstrip())
        return joined.strip()

    def source_column(self, column: int) -> int:
        """The 1-based column in the source of a column in the converted query."""
        at = column - 1 + self.lead
        for out_at, start, end in reversed(self.marks):
            if out_at <= at:
                return start + min(at - out_at, max(end - start - 1, 0)) + 1
        return 1

    def bracket(self, piece: str, start: int) -> None:
        if self.dialect != "sprinklr":
            self.error(
                f"square bracket {piece!r} is not part of the syntax",
                start,
                "group with parentheses ( ) instead",
            )
        self.out.append("(" if piece == "[" else ")")

    def sign(self, piece: str, start: int, pos: int) -> int:
        if piece == "-":
            self.out.append("NOT ")  # every supported dialect excludes with a leading -
            return pos
        if piece == "+" and self.dialect in ("talkwalker", "google"):
            # +word asks for that exact form: a quoted word is not stemmed in Flarewatch.
            vm = _VALUE.match(self.text, pos)
            value = vm.group() if vm else ""
            self.out.append(value if value[:1] in '"“”(' else f'"{value}"')
            return vm.end() if vm else pos
        vm = _VALUE.match(self.text, pos)
        term = vm.group() if vm else "term"
        if piece == "!":
            # Tools disagree on '!' (an exclusion in some, an exact term in others): say which
            # Flarewatch form means what rather than guess.
            self.error(
                f"{self.dialect.title()} has no '!' prefix, and tools differ on what it means "
                "(an exclusion in some, an exact term in others)",
                start,
                f"to exclude, write -{term} or NOT {term}; for the exact, case-sensitive "
                f"form, write {{{term.strip(chr(34))}}}",
            )
        self.error(
            f"{self.dialect.title()} prefix {piece!r} has no Flarewatch equivalent",
            start,
            f"to exclude, write -{term} or NOT {term}; quote it for the exact form: "
            f'"{term.strip(chr(34))}"',
        )
        return pos  # pragma: no cover - error() raises

    def tilde(self, piece: str, start: int) -> None:
        distance = piece[1:]
        before = "".join(self.out).rstrip()
        if distance and before.endswith(")") and self.dialect == "brandwatch":
            self.group_proximity(before, int(distance), start)
            return
        if distance:
            self.error(
                f"'{piece}' only works after a quoted phrase",
                start,
                f'quote the words, "word1 word2"{piece}, or join them with NEAR/{distance}',
                len(piece),
            )
        self.error(
            "'~' (similar spellings) is not supported",
            start,
            "list the spellings instead: (colour OR color)",
        )

    def group_proximity(self, before: str, distance: int, start: int) -> None:
        """Brandwatch's ((a OR b) AND (c OR d))~n: a word of each set within n words."""
        open_at, depth = -1, 0
        for i in range(len(before) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(before[i], 0)
            if depth == 0:
                open_at = i
                break
        hint = f"write (a OR b) NEAR/{distance} (c OR d)"
        if open_at < 0:
            self.error(f"'~{distance}' follows an unbalanced group", start, hint)
        try:
            group = parse(before[open_at + 1 : -1])
        except QuerySyntaxError:
            group = None
        if not (
            isinstance(group, And)
            and len(group.children) == 2
            and all(is_positional(c) for c in group.children)
        ):
            self.error(
                f"'~{distance}' after a group needs exactly two word sets joined by AND",
                start,
                hint,
            )
            return  # pragma: no cover - error() raises
        left, right = (render(c) for c in group.children)  # type: ignore[union-attr]
        near = f"({left}) NEAR/{distance} ({right})"
        self.out[:] = [before[:open_at], f"({near})"]
        self.changes.append(f"(…)~{distance} read as NEAR/{distance} between the two sets")

    def other(self, piece: str, start: int) -> None:
        if piece.isspace() or piece == "<":
            self.out.append(piece)
            return
        lower = piece.lower()
        if lower in ("and", "or", "not") and piece != piece.upper():
            if self.dialect in LOWER_CASE_OPERATORS:
                self.out.append(piece.upper())
                self.changes.append(f"lower-case '{piece}' read as {piece.upper()}")
                return
        elif piece == "|" and self.dialect == "google":
            self.out.append("OR")
            self.changes.append("| read as OR")
            return
        elif m := _NEAR_WORD.match(piece):
            self.out.append(self.near(piece, m, start))
            return
        elif self.dialect == "google" and ".." in piece:
            self.error(
                "Google's number range '..' has no Flarewatch equivalent",
                start + piece.index(".."),
                "list the values instead: (2023 OR 2024)",
                2,
            )
        elif self.dialect == "x" and piece.startswith("$") and piece[1:2].isalpha():
            self.error(
                f"X cashtag {piece!r} is not a Flarewatch token (the $ would be dropped)",
                start,
                f'write raw:"{piece}" for the literal text (case-sensitive)',
                len(piece),
            )
        elif m := _SLASH_DISTANCE.match(piece):
            self.error(
                f"'{piece}' is not an operator in {self.dialect}",
                start,
                f"write word1 NEAR/{m.group(1)} word2",
                len(piece),
            )
        self.out.append(piece)

    def near(self, piece: str, m: re.Match[str], start: int) -> str:
        default = DEFAULT_NEAR.get(self.dialect)
        if m.group(2) is None and default is not None and piece == piece.upper():
            spelled = f"{m.group(1).upper()}/{default}"
            self.changes.append(f"{piece} read as {spelled} ({self.dialect}'s default distance)")
            return spelled
        if m.group(2) and piece != piece.upper() and self.dialect in LOWER_CASE_OPERATORS:
            self.changes.append(f"lower-case '{piece}' read as {piece.upper()}")
            return piece.upper()
        return piece  # the parser reports NEAR without a distance, or warns on near/3

    def field(self, m: re.Match[str]) -> int:
        text, fields = self.text, FIELDS[self.dialect]
        name = m.group().split(":", 1)[0]
        target = fields.get(name.lower())
        if target is None:
            nearest = REJECTED[self.dialect].get(name.lower())
            self.error(
                f"{self.dialect.title()} operator '{name}:' has no Flarewatch equivalent",
                m.start(),
                nearest or "supported here: " + ", ".join(f"{k}:" for k in sorted(fields)),
                len(name) + 1,
            )
        pos = m.end()
        end = _value_end(text, pos)
        if end == pos:
            self.error(f"'{name}:' needs a value", m.start())
        value = text[pos:end]
        if value[:1] in ("-", "!") and value[1:2].strip():
            # As in Flarewatch's own syntax: exclusion or part of the word is never guessed.
            rest = value[1:]
            self.error(
                f"'{value[0]}' right after '{name}:' is ambiguous",
                pos,
                f"to exclude, put the sign before the field: -{name}:{rest} "
                f"(NOT {name}:{rest}); to look for the word, leave the sign out: {name}:{rest}",
            )
        if target == "":
            self.out.append(value)
        elif target == "author*":
            self.out.append(f"author:*{value.strip(chr(34))}*")
        elif target == "author|name":
            self.out.append(f"(author:{value} OR authorname:{value})")
            self.changes.append(f"author:{value} matches the handle or the display name")
        elif target == "platform":
            self.out.append("platform:" + _platform(value))
        elif target == "site":
            self.out.append("site:" + self.site(value, name))
        else:
            if target != name.lower():
                self.changes.append(f"{name}: read as {target}:")
            self.out.append(f"{target}:{value}")
        return end

    def site(self, value: str, name: str) -> str:
        if value.startswith("("):
            return value
        bare = value.strip('"“”')
        host = normalize_site(bare)
        if host != bare.casefold().rstrip("/"):
            self.changes.append(f"{name}:{bare} → site:{host}")
        return host


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
        return re.sub(
            r"[\w.]+",
            lambda w: (
                PLATFORMS.get(w.group().lower(), w.group().lower())
                if w.group() not in ("OR", "AND", "NOT")
                else w.group()
            ),
            value,
        )
    return PLATFORMS.get(value.strip('"').lower(), value.strip('"').lower())


def _or_repeated_sites(node: Node) -> tuple[Node, int]:
    """site:a site:b side by side become site:(a OR b); returns how many terms were joined."""
    if isinstance(node, Or):
        pairs = [_or_repeated_sites(c) for c in node.children]
        return Or(tuple(p[0] for p in pairs), column=node.column), sum(p[1] for p in pairs)
    if isinstance(node, Not):
        child, n = _or_repeated_sites(node.child)
        return Not(child, column=node.column), n
    if not isinstance(node, And):
        return node, 0
    pairs = [_or_repeated_sites(c) for c in node.children]
    children = [p[0] for p in pairs]
    joined = sum(p[1] for p in pairs)
    sites = [c for c in children if isinstance(c, Field) and c.name == "site"]
    if len(sites) < 2:
        return And(tuple(children), column=node.column), joined
    values: list[Node] = []
    for site in sites:
        values.extend(site.child.children if isinstance(site.child, Or) else [site.child])
    merged = Field("site", Or(tuple(values)), column=sites[0].column)
    rest = [c for c in children if c not in sites]
    first = children.index(sites[0])
    rest.insert(first, merged)
    result: Node = rest[0] if len(rest) == 1 else And(tuple(rest), column=node.column)
    return result, joined + len(sites)
