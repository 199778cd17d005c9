"""Server-rendered pages, one router per domain."""

from flarewatch.comms import drafts_pages
from flarewatch.comms.contact import pages as contact_pages
from flarewatch.comms.publishing import pages as publishing_pages
from flarewatch.comms.replies import pages as reply_pages
from flarewatch.comms.stakeholders import web as stakeholder_pages
from flarewatch.comms.templates import pages as template_pages
from flarewatch.playbooks import pages as playbook_pages
from flarewatch.web.routers import (
    account,
    ack,
    alert_routes,
    alerts,
    auth,
    case_response,
    case_room,
    cases,
    credentials,
    events,
    invites,
    mentions,
    oncall,
    oncall_setup,
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
    oncall.router,
    oncall_setup.router,
    cases.router,
    case_response.router,
    case_room.router,
    contact_pages.router,
    reply_pages.router,
    drafts_pages.router,
    playbook_pages.router,
    publishing_pages.router,
    template_pages.router,
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
    ack.router,
    stakeholder_pages.router,
]
