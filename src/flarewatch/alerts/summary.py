"""An optional AI summary of an alert's posts, from any OpenAI-compatible endpoint.

The product works fully without it: with no endpoint configured, asking for a summary is a clear
error that says how to enable it, never a silent empty answer.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from flarewatch.alerts.service import get_alert
from flarewatch.detect.summary import (
    LLMSettings,
    Summary,
    SummaryError,
    settings_from_env,
    summarize,
    summary_posts,
)
from flarewatch.errors import FlarewatchError, InputError

HOW_TO_ENABLE = (
    "no AI endpoint is configured; set FLAREWATCH_LLM_BASE_URL (e.g. http://127.0.0.1:11434/v1 "
    "for a local Ollama) and FLAREWATCH_LLM_MODEL, plus FLAREWATCH_LLM_API_KEY for a hosted one"
)


def summarize_alert(
    session: Session,
    alert_id: int,
    *,
    workspace_id: int | None = None,
    settings: LLMSettings | None = None,
) -> Summary:
    """Summarise the posts that drove an alert; the summary cites their raw post ids."""
    settings = settings or settings_from_env()
    if settings is None:
        raise InputError(HOW_TO_ENABLE)
    alert = get_alert(session, alert_id, workspace_id=workspace_id)
    posts = summary_posts(session, alert.post_ids)
    if not posts:
        raise InputError(f"alert #{alert.id} has no stored posts to summarise")
    try:
        return summarize(
            posts,
            base_url=settings.base_url,
            api_key=settings.api_key,
            model=settings.model,
            title=alert.title,
        )
    except SummaryError as err:
        raise FlarewatchError(f"the AI summary failed: {err}") from err
