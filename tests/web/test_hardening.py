"""Requests that used to crash or bloat the server: huge ids, unknown methods, huge bodies."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from flarewatch.config.settings import DEFAULT_MAX_BODY_BYTES

from .conftest import WebEnv, bearer, login

TOO_BIG_IDS = (2**63, 10**20)


@pytest.fixture
def admin(web: WebEnv) -> Iterator[tuple[TestClient, dict[str, str]]]:
    with TestClient(web.app) as client:
        yield client, bearer(web, "acme-admin")


@pytest.mark.parametrize("big", TOO_BIG_IDS)
@pytest.mark.parametrize(
    ("method", "path", "field"),
    [
        ("GET", "/api/v1/workspaces/acme/alerts/{n}", "alert_id"),
        ("POST", "/api/v1/workspaces/acme/alerts/{n}/acknowledge", "alert_id"),
        ("POST", "/api/v1/workspaces/acme/alerts/{n}/case", "alert_id"),
        ("GET", "/api/v1/workspaces/acme/cases/{n}", "case_id"),
        ("POST", "/api/v1/workspaces/acme/cases/1/tasks/{n}/complete", "task_id"),
        ("GET", "/api/v1/workspaces/acme/mentions?before={n}", "before"),
        ("GET", "/api/v1/workspaces/acme/mentions?after={n}", "after"),
    ],
)
def test_api_ids_beyond_64_bits_are_422_with_the_field(
    admin: tuple[TestClient, dict[str, str]], method: str, path: str, field: str, big: int
) -> None:
    client, headers = admin
    response = client.request(method, path.format(n=big), headers=headers)
    assert response.status_code == 422, response.text
    assert [err["loc"][-1] for err in response.json()["detail"]] == [field]


def test_api_largest_id_is_a_plain_not_found(admin: tuple[TestClient, dict[str, str]]) -> None:
    client, headers = admin
    response = client.get(f"/api/v1/workspaces/acme/alerts/{2**63 - 1}", headers=headers)
    assert response.status_code == 404


@pytest.mark.parametrize("big", TOO_BIG_IDS)
@pytest.mark.parametrize(
    "path",
    [
        "/w/acme/alerts/{n}",
        "/w/acme/cases/{n}",
        "/w/acme/mentions?before={n}",
        "/w/acme/topics?edit={n}",
        "/w/acme/events?m={n}",
    ],
)
def test_page_ids_beyond_64_bits_are_an_error_page(
    web: WebEnv, client: TestClient, path: str, big: int
) -> None:
    login(client, web.seeded.users["acme-admin"])
    response = client.get(path.format(n=big))
    assert response.status_code == 422
    assert "text/html" in response.headers["content-type"]
    assert "less than or equal to 9223372036854775807" in response.text


def test_page_post_with_huge_id_is_an_error_page(web: WebEnv, client: TestClient) -> None:
    csrf = login(client, web.seeded.users["acme-admin"])
    response = client.post(f"/w/acme/cases/{10**20}/notes", data={"text": "x", "csrf_token": csrf})
    assert response.status_code == 422
    assert "case_id" in response.text


@pytest.mark.parametrize("method", ["TRACE", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("path", ["/api/v1/me", "/w/acme", "/login"])
def test_unknown_method_is_405_with_allow(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path)
    assert response.status_code == 405
    allowed = {m.strip() for m in response.headers["allow"].split(",")}
    assert "GET" in allowed and method not in allowed


def _note_url(env: WebEnv) -> str:
    return f"/api/v1/workspaces/acme/cases/{env.seeded.cases['acme']}/notes"


def test_json_body_over_the_limit_is_413(
    web: WebEnv, admin: tuple[TestClient, dict[str, str]]
) -> None:
    client, headers = admin
    note = {"text": "x" * (50 * 1024 * 1024)}
    response = client.post(_note_url(web), json=note, headers=headers)
    assert response.status_code == 413
    assert "FLAREWATCH_MAX_BODY_BYTES" in response.json()["detail"]
    case = client.get(_note_url(web).removesuffix("/notes"), headers=headers).json()
    assert all(len(event["text"]) < DEFAULT_MAX_BODY_BYTES for event in case["timeline"])


def test_chunked_body_without_length_over_the_limit_is_413(
    web: WebEnv, admin: tuple[TestClient, dict[str, str]]
) -> None:
    client, headers = admin
    chunk = b'"' + b"x" * 65536

    def body() -> Iterator[bytes]:
        yield b'{"text": '
        for _ in range(40):  # 2.5 MiB, never announced in a Content-Length
            yield chunk
        yield b'"}'

    response = client.post(
        _note_url(web), content=body(), headers={**headers, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert "content-length" not in {k.lower() for k in response.request.headers}


def test_body_under_the_limit_is_stored(
    web: WebEnv, admin: tuple[TestClient, dict[str, str]]
) -> None:
    client, headers = admin
    text = "y" * (DEFAULT_MAX_BODY_BYTES // 2)
    response = client.post(_note_url(web), json={"text": text}, headers=headers)
    assert response.status_code == 201
    assert response.json()["text"] == text


def test_form_over_the_limit_is_an_error_page(web: WebEnv, client: TestClient) -> None:
    csrf = login(client, web.seeded.users["acme-admin"])
    response = client.post(
        f"/w/acme/cases/{web.seeded.cases['acme']}/notes",
        data={"text": "z" * (2 * DEFAULT_MAX_BODY_BYTES), "csrf_token": csrf},
    )
    assert response.status_code == 413
    assert "text/html" in response.headers["content-type"]
    assert "FLAREWATCH_MAX_BODY_BYTES" in response.text


def test_error_pages_are_translated(web: WebEnv, client: TestClient) -> None:
    login(client, web.seeded.users["acme-admin"])
    page = client.get(f"/w/acme/alerts/{2**63}", headers={"Accept-Language": "he"})
    assert "יש ערך שאינו מותר" in page.text
    # The generated part is isolated, so its direction cannot reorder the sentence around it.
    assert "<bdi>alert_id: " in page.text and "9223372036854775807</bdi>" in page.text
    page = client.request("TRACE", "/w/acme", headers={"Accept-Language": "pl"})
    assert "Ten adres nie przyjmuje metody <bdi>TRACE</bdi>." in page.text
