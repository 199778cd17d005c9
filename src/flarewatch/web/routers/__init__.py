"""Server-rendered pages, one router per domain."""

from flarewatch.web.routers import (
    account,
    alerts,
    auth,
    cases,
    credentials,
    events,
    mentions,
    overview,
    rescore,
    settings,
    source_settings,
    sources,
    topics,
)

page_routers = [
    auth.router,
    account.router,
    overview.router,
    mentions.router,
    alerts.router,
    cases.router,
    topics.router,
    rescore.router,
    settings.router,
    sources.router,
    source_settings.router,
    credentials.router,
    events.router,
]
