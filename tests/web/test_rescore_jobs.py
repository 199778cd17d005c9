"""Re-scoring from the web: a background job in the database, its progress over SSE."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from flarewatch.accounts.models import AuditLog, User
from flarewatch.alerts.models import Alert
from flarewatch.db.base import utcnow
from flarewatch.db.engine import session_scope, sessionmaker_for
from flarewatch.enrich.sentiment import registry
from flarewatch.mentions.models import Mention, RawPost, RescoreJob
from flarewatch.mentions.rescore_jobs import RescoreJobs, run_job, start_job
from flarewatch.workspaces.models import Workspace

from .conftest import WebEnv, bearer, login


class ScoredModel:
    """A test backend under a shipped backend's name: every post is negative, except a post
    with "#3)" in it, which it cannot read."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def predict(self, texts: Sequence[str], languages: Sequence[str]) -> list[tuple[str, float]]:
        if any("#3)" in t for t in texts):
            raise ValueError("unreadable post")
        self.texts.extend(texts)
        return [("negative", -0.75) for _ in texts]


@pytest.fixture
def model() -> Iterator[ScoredModel]:
    instance = ScoredModel()
    registry.register_sentiment_model("use", lambda: instance)
    yield instance
    registry.register_sentiment_model("use", lambda: registry.build_backend("use"))


def _new_job(env: WebEnv, **kwargs: object) -> int:
    with session_scope(env.engine) as session:
        ws = session.get_one(Workspace, env.seeded.workspaces["acme"])
        user = session.scalars(
            select(User).where(User.email == env.seeded.users["acme-admin"])
        ).one()
        job = start_job(session, ws, "use", topic_id=None, since=None, actor=user, **kwargs)  # type: ignore[arg-type]
        return job.id


def _acme_posts(env: WebEnv) -> int:
    with session_scope(env.engine) as session:
        return int(
            session.scalar(
                select(func.count(func.distinct(Mention.raw_post_id))).where(
                    Mention.workspace_id == env.seeded.workspaces["acme"]
                )
            )
            or 0
        )


def test_a_job_scores_its_scope_in_steps_and_one_bad_post_does_not_stop_it(
    web: WebEnv, model: ScoredModel
) -> None:
    job_id = _new_job(web)
    run_job(sessionmaker_for(web.engine), job_id, step=7)
    with session_scope(web.engine) as session:
        job = session.get_one(RescoreJob, job_id)
        assert (job.status, job.total, job.done) == ("done", _acme_posts(web), job.total)
        assert job.failed == 1 and job.error is None
        mentions = session.scalars(
            select(Mention).where(Mention.workspace_id == web.seeded.workspaces["acme"])
        ).all()
        unreadable = [m for m in mentions if "#3)" in session.get_one(RawPost, m.raw_post_id).text]
        assert len(unreadable) == 1 and unreadable[0].enrichment.get("sentiment_backend") != "use"
        others = [m for m in mentions if m not in unreadable]
        assert all(m.sentiment == "negative" and m.sentiment_score == -0.75 for m in others)
        assert all(m.enrichment["sentiment_backend"] == "use" for m in others)
        audit = session.scalars(select(AuditLog).where(AuditLog.action == "mentions.rescore")).one()
        assert audit.details["job"] == job_id and audit.details["failed"] == 1


def test_a_job_cut_short_is_taken_over_and_goes_on_after_its_last_committed_post(
    web: WebEnv, model: ScoredModel
) -> None:
    job_id = _new_job(web)
    sessions = sessionmaker_for(web.engine)
    with session_scope(web.engine) as session:
        ids = sorted(
            set(
                session.scalars(
                    select(Mention.raw_post_id).where(
                        Mention.workspace_id == web.seeded.workspaces["acme"]
                    )
                )
            )
        )
        # As a server that died after committing ten posts leaves it.
        session.execute(
            update(RescoreJob)
            .where(RescoreJob.id == job_id)
            .values(
                status="running",
                done=10,
                last_raw_post_id=ids[9],
                updated_at=utcnow() - timedelta(minutes=10),
            )
        )
    jobs = RescoreJobs(sessions)
    with sessions() as session:
        jobs.resume_stale(session, web.seeded.workspaces["acme"])
    jobs.shutdown(wait=True)  # the job ran on the runner's thread; wait for it
    with session_scope(web.engine) as session:
        job = session.get_one(RescoreJob, job_id)
        assert job.status == "done" and job.done == len(ids)
        scored_texts = set(model.texts)
        first_ten = session.scalars(select(RawPost.text).where(RawPost.id.in_(ids[:10]))).all()
        assert not scored_texts & set(first_ten)  # not scored again


def test_the_page_starts_a_job_and_streams_its_progress(
    web: WebEnv, client: TestClient, model: ScoredModel
) -> None:
    csrf = login(client, web.seeded.users["acme-analyst"])
    page = client.get("/w/acme/rescore")
    assert page.status_code == 200 and 'name="backend"' in page.text
    response = client.post(
        "/w/acme/rescore",
        data={"backend": "use", "topic_id": "", "period": "", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    job_url = response.headers["location"]
    job_id = int(job_url.rsplit("/", 1)[1])
    for _ in range(600):  # the job runs on the app's thread; wait for it to end
        with session_scope(web.engine) as session:
            if session.get_one(RescoreJob, job_id).status not in ("queued", "running"):
                break
        time.sleep(0.05)
    with client.stream("GET", f"{job_url}/events") as stream:
        body = "".join(stream.iter_text())
    assert "event: done" in body
    assert f"Re-scoring #{job_id} is done" in body
    page = client.get(job_url).text
    assert f"#{job_id}" in page and "<progress" in page


def test_a_viewer_cannot_start_a_job_and_an_unknown_model_is_refused(
    web: WebEnv, client: TestClient
) -> None:
    csrf = login(client, web.seeded.users["acme-viewer"])
    refused = client.post(
        "/w/acme/rescore",
        data={"backend": "use", "period": "24h", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert refused.status_code == 403
    client.post("/logout", data={"csrf_token": csrf})
    csrf = login(client, web.seeded.users["acme-admin"])
    unknown = client.post(
        "/w/acme/rescore",
        data={"backend": "nope", "period": "24h", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert unknown.status_code in (400, 422) and "nope" in unknown.text


def test_the_alert_page_and_api_say_which_model_scored_the_alert(
    web: WebEnv, client: TestClient
) -> None:
    alert_id = web.seeded.alerts["acme"][0]
    with session_scope(web.engine) as session:
        alert = session.get_one(Alert, alert_id)
        alert.sentiment_backend = "e5"
        alert.rescore = {"state": "done", "backend": "e5", "scored": 9, "window_posts": 11}
    csrf = login(client, web.seeded.users["acme-viewer"])
    page = client.get(f"/w/acme/alerts/{alert_id}").text
    assert 'id="alert-sentiment-model"' in page
    assert "of the window" in page and "E5" in page
    client.post("/preferences", data={"language": "he", "next": "/w/acme", "csrf_token": csrf})
    hebrew = client.get(f"/w/acme/alerts/{alert_id}").text
    assert "מודל הסנטימנט:" in hebrew
    api = client.get(
        f"/api/v1/workspaces/acme/alerts/{alert_id}", headers=bearer(web, "acme-viewer")
    )
    assert api.status_code == 200, api.text
    assert api.json()["sentiment_backend"] == "e5"
    assert api.json()["rescore"]["state"] == "done"
