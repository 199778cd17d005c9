"""`POST /hooks/{workspace}/{key}`: posts pushed by other systems into a `webhook` source.

The request is authenticated by its body's HMAC signature, not by a session or token, so no
CSRF check applies (there is no cookie credential a forged request could borrow) and the
route is not among the signed-in pages. The body is stored (committed) before the 2xx answer;
the runner turns it into posts on its next cycle, never this request.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from flarewatch.sources.webhook_inbox import (
    CONTENT_TYPES,
    MAX_LISTED_REJECTIONS,
    SIGNATURE_HEADER,
    HookError,
    accept,
    resolve,
)
from flarewatch.web.middleware import BodyTooLargeError

HOOK_PREFIX = "/hooks/"
router = APIRouter(tags=["webhooks"])


class RejectedRecord(BaseModel):
    line: int | None = None
    item: int | None = None
    field: str | None = None
    message: str


class HookReceipt(BaseModel):
    status: str  # "stored" or "duplicate"
    delivery: int
    accepted: int
    rejected_total: int
    rejected: list[RejectedRecord]
    warnings: list[str]  # e.g. a date column the records do not use (they are still stored)


class HookProblem(BaseModel):
    # A sentence from the inbox; a list of field errors when the address itself is refused
    # (e.g. a NUL character in it), as on every other route.
    detail: str | list[dict[str, Any]]
    rejected: list[RejectedRecord] = []


def _problem(description: str) -> dict[str, Any]:
    return {"model": HookProblem, "description": description}


RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": HookReceipt, "description": "The same body was stored before (a retry)."},
    401: _problem(f"{SIGNATURE_HEADER} is missing, malformed or does not match the body."),
    404: _problem("No webhook source at this workspace and key."),
    413: _problem("The body is over FLAREWATCH_MAX_HOOK_BYTES."),
    415: _problem("The Content-Type is not JSON or JSONL."),
    422: _problem("The body is not JSON, or none of its records can be read (line, field)."),
    503: _problem("The source's secret variable is not set on the server."),
}
REQUEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            kind: {"schema": {"type": "string", "format": "binary"}}
            for kind in sorted(CONTENT_TYPES)
        },
        "description": "Posts in the ingest format: one JSON object, an array of objects, or "
        "JSONL (one object per line). Signed: "
        f"{SIGNATURE_HEADER}: sha256=<hex HMAC-SHA256 of the body with the source's secret>.",
    }
}


@router.post(
    "/hooks/{workspace}/{key}",
    status_code=202,
    response_model=HookReceipt,
    responses=RESPONSES,
    openapi_extra=REQUEST_BODY,
    summary="Push posts into a webhook source",
)
async def receive_hook(workspace: str, key: str, request: Request) -> JSONResponse:
    """Store a signed body of posts; 202 once it is committed (200 for a repeated body).

    Records that cannot be read are listed (line or item, field, message) and the rest are
    kept; when none can be read the answer is 422 and nothing is stored.
    """
    sessions = request.app.state.sessionmaker
    try:
        target, secret = await run_in_threadpool(resolve, sessions, workspace, key)
        body = await request.body()
    except HookError as err:
        return JSONResponse({"detail": str(err)}, status_code=err.status)
    except BodyTooLargeError as err:
        limit = request.app.state.max_hook_bytes
        message = (
            f"the body is over {limit} bytes (FLAREWATCH_MAX_HOOK_BYTES); split it into "
            "smaller requests"
        )
        return JSONResponse({"detail": message}, status_code=err.status_code)
    try:
        receipt = await run_in_threadpool(
            accept,
            sessions,
            target,
            secret,
            body=body,
            content_type=request.headers.get("content-type"),
            signature=request.headers.get(SIGNATURE_HEADER),
            now=datetime.now(UTC),
        )
    except HookError as err:
        content: dict[str, Any] = {"detail": str(err)}
        if err.rejected:
            content["rejected"] = [r.as_dict() for r in err.rejected[:MAX_LISTED_REJECTIONS]]
        return JSONResponse(content, status_code=err.status)
    return JSONResponse(receipt.as_dict(), status_code=200 if receipt.duplicate else 202)
