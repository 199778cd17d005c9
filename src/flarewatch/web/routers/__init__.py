"""Server-rendered pages, one router per domain."""

from flarewatch.playbooks import pages as playbook_pages
from flarewatch.web.routers import (
    account,
    alert_routes,
    alerts,
    auth,
    case_room,
    cases,
    credentials,
    events,
    invites,
    mentions,
    overview,
    rescore,
    settings,
    source_settings,
    sources,
    topics,
    workspace_admin,
)

page_routers = [
    auth.router,
    account.router,
    overview.router,
    mentions.router,
    alerts.router,
    cases.router,
    case_room.router,
    playbook_pages.router,
    topics.router,
    rescore.router,
    settings.router,
    alert_routes.router,
    sources.router,
    source_settings.router,
    credentials.router,
    events.router,
    workspace_admin.router,
    invites.router,
]
