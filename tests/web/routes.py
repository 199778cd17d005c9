"""Every (method, path) an app serves, including routes of included routers.

FastAPI ≥ 0.16x keeps included routers as lazy `_IncludedRouter` entries in `app.routes`; this
walks them through `effective_candidates()` and also handles plain `APIRoute` entries (older
FastAPI), so the cross-workspace sweep sees every route either way.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute


def _walk(routes: list[Any]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for route in routes:
        if isinstance(route, APIRoute):
            found.extend((m, route.path) for m in route.methods)
        elif hasattr(route, "effective_candidates"):
            found.extend(_walk(route.effective_candidates()))
        elif hasattr(route, "original_route") and isinstance(route.original_route, APIRoute):
            found.extend((m, route.path) for m in route.original_route.methods)
    return found


def app_routes(app: FastAPI) -> list[tuple[str, str]]:
    return sorted({(m, p) for m, p in _walk(list(app.routes)) if m != "HEAD"})
