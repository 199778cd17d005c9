"""The README's word on the API document holds: the OpenAPI JSON is served where it says."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from .conftest import WebEnv

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_openapi_document_is_where_the_readme_says(web: WebEnv) -> None:
    text = README.read_text(encoding="utf-8")
    paths = set(re.findall(r"`(/api/v1/openapi\.json|/docs)`", text))
    assert "/api/v1/openapi.json" in paths
    with TestClient(web.app) as client:
        document = client.get("/api/v1/openapi.json")
        assert document.status_code == 200 and document.json()["openapi"].startswith("3.")
        # The README says there is no /docs page; it must not half-exist either.
        assert "no `/docs` page" in text and client.get("/docs").status_code == 404
