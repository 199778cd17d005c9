"""The JSON API under /api/v1: bearer tokens (or the browser session), documented by OpenAPI."""

from fastapi import APIRouter, Depends

from flarewatch.comms import drafts_api
from flarewatch.comms.ai_drafting import api as ai_drafting
from flarewatch.comms.contact import api as contact_api
from flarewatch.comms.public_page import api as public_page
from flarewatch.comms.publishing import router as publishing
from flarewatch.comms.replies import api as replies
from flarewatch.comms.stakeholders import api as stakeholders
from flarewatch.comms.templates import api as templates
from flarewatch.playbooks import router as playbooks
from flarewatch.tone import router as tone
from flarewatch.web.api import alerts, case_response, case_room, cases, inbox, sources, workspaces
from flarewatch.web.security import check_csrf

router = APIRouter(prefix="/api/v1", dependencies=[Depends(check_csrf)])
router.include_router(workspaces.router)
router.include_router(alerts.router)
router.include_router(cases.router)
router.include_router(case_response.router)
router.include_router(case_room.router)
router.include_router(playbooks.router)
router.include_router(sources.router)
router.include_router(inbox.router)
router.include_router(tone.router)
router.include_router(stakeholders.router)
router.include_router(publishing.router)
router.include_router(contact_api.router)
router.include_router(replies.router)
router.include_router(templates.router)
router.include_router(public_page.router)
router.include_router(ai_drafting.router)  # before the drafts: …/drafts/suggest
router.include_router(drafts_api.router)
