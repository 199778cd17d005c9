"""Server-rendered pages, one router per domain."""

from flarewatch.web.routers import (
    account,
    alerts,
    auth,
    cases,
    events,
    mentions,
    overview,
    settings,
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
    settings.router,
    sources.router,
    events.router,
]
