"""POST /api/v1/tone/check: the tone check through the API, for signed-in callers only."""

from __future__ import annotations

from fastapi.testclient import TestClient

from .conftest import WebEnv, bearer


def test_tone_check_returns_the_flags(web: WebEnv) -> None:
    with TestClient(web.app, base_url="http://testserver/api/v1") as api:
        headers = bearer(web, "acme-viewer")
        body = {"text": "הלקוחות התעלמו מההוראות. אין תגובה.", "platform": "sms"}
        result = api.post("/tone/check", json=body, headers=headers)
        assert result.status_code == 200, result.text
        data = result.json()
        assert data["language"] == "he" and data["clean"] is False
        assert [f["kind"] for f in data["flags"]] == ["blame", "defensive"]
        first = data["flags"][0]
        assert body["text"][first["start"] : first["end"]] == first["phrase"]
        assert first["label"] == "הטלת אשמה" and first["reason"] and first["suggestion"]

        staged = {"text": "Power is back.", "language": "en", "stage": "responsibility"}
        kinds = [
            f["kind"] for f in api.post("/tone/check", json=staged, headers=headers).json()["flags"]
        ]
        assert kinds == ["missing_apology", "missing_ownership"]

        clean = api.post(
            "/tone/check", json={"text": "We are sorry.", "language": "en"}, headers=headers
        )
        assert clean.json() == {"language": "en", "clean": True, "flags": []}

        bad = api.post("/tone/check", json={"text": "hi", "platform": "myspace"}, headers=headers)
        assert bad.status_code == 422 and "platform" in bad.text

        no_letters = api.post("/tone/check", json={"text": "😡 123"}, headers=headers).json()
        assert no_letters == {"language": "en", "clean": True, "flags": []}

        anonymous = api.post("/tone/check", json={"text": "No comment."})
        assert anonymous.status_code == 401
