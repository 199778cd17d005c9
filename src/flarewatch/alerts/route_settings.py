"""A workspace's alert routes edited in the web settings, and the "send a test alert" button.

Routes live in the workspace's configuration (`alert_routes`, as in the workspace file), so
delivery, `notification_language` and `flarewatch workspace export` read them unchanged. Route
URLs often hold passwords or tokens: they are only ever shown through `describe_route`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from rich.console import Console

from flarewatch.alerts.message import render_test_message
from flarewatch.alerts.notify import notifier_for, route_problem
from flarewatch.alerts.routing import describe_route, notification_language
from flarewatch.config.workspace import AlertRouteConfig
from flarewatch.errors import InputError, NotFoundError
from flarewatch.workspaces.models import Workspace

MAX_ROUTES = 50  # a workspace's routes are read on every alert; a bound keeps that cheap


@dataclass(frozen=True, slots=True)
class RouteView:
    """A route as the settings page shows it: masked, never the raw URL."""

    index: int
    shown: str
    min_severity: str
    language: str | None
    name: str | None


def routes_of(workspace: Workspace) -> list[dict[str, Any]]:
    return list((workspace.config or {}).get("alert_routes") or [])


def route_views(workspace: Workspace) -> list[RouteView]:
    return [
        RouteView(
            index=i,
            shown=describe_route(str(route.get("url", ""))),
            min_severity=str(route.get("min_severity", "watch")),
            language=route.get("language"),
            name=route.get("name"),
        )
        for i, route in enumerate(routes_of(workspace))
    ]


def _save(workspace: Workspace, routes: list[dict[str, Any]]) -> None:
    # A new dict, so SQLAlchemy sees the JSON column change.
    workspace.config = {**(workspace.config or {}), "alert_routes": routes}


def add_route(
    workspace: Workspace, url: str, min_severity: str, language: str, name: str
) -> dict[str, Any]:
    """Validate and append a route; the error says what to fix and never repeats the URL."""
    url = url.strip()
    if not url:
        raise InputError(
            "Give the route's address: an Apprise URL such as mailto://… or 'console'."
        )
    problem = route_problem(url)
    if problem:
        raise InputError(problem[0].upper() + problem[1:] + ".")
    try:
        route = AlertRouteConfig(
            url=url,
            min_severity=min_severity,  # type: ignore[arg-type]
            language=language or None,
            name=name.strip() or None,
        )
    except ValidationError as err:
        first = err.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "route"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise InputError(f"{field}: {message}.") from None
    routes = routes_of(workspace)
    if any(str(r.get("url", "")).strip() == url for r in routes):
        raise InputError("This route is already there; remove it first to change it.")
    if len(routes) >= MAX_ROUTES:
        raise InputError(f"A workspace has at most {MAX_ROUTES} alert routes; remove one first.")
    entry = route.model_dump(mode="json", exclude_none=True)
    _save(workspace, [*routes, entry])
    return entry


def _route_at(workspace: Workspace, index: int) -> dict[str, Any]:
    routes = routes_of(workspace)
    if not 0 <= index < len(routes):
        raise NotFoundError(f"No alert route {index + 1} in this workspace; reload the page.")
    return routes[index]


def remove_route(workspace: Workspace, index: int) -> dict[str, Any]:
    removed = _route_at(workspace, index)
    _save(workspace, [r for i, r in enumerate(routes_of(workspace)) if i != index])
    return removed


def send_test_alert(workspace: Workspace, index: int, console: Console | None = None) -> str:
    """Send the test message to the route now, through the notifier real alerts use; returns
    the route as shown. Raises DeliveryError (with the service's reason) when it fails."""
    url = str(_route_at(workspace, index).get("url", "")).strip()
    language = notification_language(workspace.config, workspace.languages, url)
    message = render_test_message(workspace_name=workspace.name, language=language)
    notifier_for(url, console).send(url, message)
    return describe_route(url)
