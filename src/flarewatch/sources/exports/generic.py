"""The ingest format itself (docs/sources.md) through the export reader: a CSV or JSONL whose
columns already carry Flarewatch's field names, with `--map` for the ones that do not."""

from __future__ import annotations

from typing import Any

from flarewatch.sources.exports.preset import Preset
from flarewatch.sources.ingest import FIELDS

_COLUMNS = {name: (name,) for name in FIELDS}


def _as_is(record: Any) -> dict[str, Any]:
    return dict(record) if isinstance(record, dict) else {}


CSV = Preset(name="csv", title="CSV (ingest format)", shape="table", columns=_COLUMNS)
JSONL = Preset(
    name="jsonl", title="JSONL (ingest format)", shape="jsonl", columns=_COLUMNS, flatten=_as_is
)
