"""The Flarewatch query language: parse, validate, evaluate, match many queries, import dialects.

See docs/queries.md for the grammar, the analysis per language and the matcher design.
"""

from flarewatch.query.ast import Node
from flarewatch.query.dialects import import_query
from flarewatch.query.errors import QueryProblem, QuerySyntaxError
from flarewatch.query.evaluate import matches
from flarewatch.query.matcher import Matcher
from flarewatch.query.parser import parse
from flarewatch.query.render import render
from flarewatch.query.validate import validate

__all__ = [
    "Matcher",
    "Node",
    "QueryProblem",
    "QuerySyntaxError",
    "import_query",
    "matches",
    "parse",
    "render",
    "validate",
]
