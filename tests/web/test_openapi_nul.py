"""The OpenAPI document says what the app enforces: no text parameter may hold U+0000."""

from __future__ import annotations

from fastapi.testclient import TestClient

from flarewatch.web.app import NO_NUL_PATTERN

from .conftest import WebEnv, bearer


def test_every_text_parameter_documents_that_nul_is_refused(
    web: WebEnv, client: TestClient
) -> None:
    document = client.get("/api/v1/openapi.json").json()
    text_parameters = []
    for path, operations in document["paths"].items():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                schema = parameter["schema"]
                options = schema.get("anyOf", [schema])
                for option in options:
                    if option.get("type") == "string" and "format" not in option:
                        text_parameters.append((path, parameter["name"], option.get("pattern")))
    assert ("/api/v1/workspaces/{slug}/mentions", "language", NO_NUL_PATTERN) in text_parameters
    assert all(pattern for _, _, pattern in text_parameters), text_parameters
    # …and the app does refuse it, naming the parameter.
    answer = client.get(
        "/api/v1/workspaces/acme/mentions",
        params={"language": "\x00"},
        headers=bearer(web, "acme-admin"),
    )
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["query", "language"]
