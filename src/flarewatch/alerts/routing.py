"""Which routes an alert of a given severity goes to."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import apprise

from flarewatch.alerts.hygiene import severity_rank
from flarewatch.i18n.languages import LANGUAGES, workspace_language

CONSOLE_ROUTE = "console"


def routes_for(config: dict[str, Any] | None, severity: str) -> list[str]:
    """The workspace's route URLs whose min_severity is at or below `severity`, console first.

    The console is always included, so an operator watching the terminal never misses an alert
    even when no route is configured.
    """
    rank = severity_rank(severity)
    routes = [CONSOLE_ROUTE]
    for route in (config or {}).get("alert_routes") or []:
        url = str(route.get("url", "")).strip()
        if not url or url in routes:
            continue
        if severity_rank(str(route.get("min_severity", "watch"))) <= rank:
            routes.append(url)
    return routes


def describe_route(route: str) -> str:
    """A route for display, with passwords and tokens masked (routes hold credentials)."""
    if route == CONSOLE_ROUTE:
        return route
    plugin = apprise.Apprise.instantiate(route)
    if plugin is None:
        return f"{route.split('://', 1)[0]}://… (not a valid Apprise URL)"
    return str(plugin.url(privacy=True))


def notification_language(
    config: dict[str, Any] | None, languages: Sequence[str] | None, route: str
) -> str:
    """The language a route's notifications are written in.

    The route's own `language` (workspace file, `[[alert_routes]]`) when it names one with a
    catalogue; else the `language` of the person (`[[people]]`) whose contact method it is;
    else the workspace's first language that has one (a Hebrew-first workspace gets Hebrew);
    else English. Chosen at send time, so editing the file changes later sends.
    """
    for entry in (config or {}).get("alert_routes") or []:
        if str(entry.get("url", "")).strip() == route and entry.get("language") in LANGUAGES:
            return str(entry["language"])
    # A person paged by on-call escalation (`[[people]]`) reads their own language.
    for person in (config or {}).get("people") or []:
        urls = {str(url).strip() for url in person.get("notify") or []}
        if route in urls and person.get("language") in LANGUAGES:
            return str(person["language"])
    return workspace_language(list(languages or []))
