"""One chat-completions request to an OpenAI-compatible endpoint at {base_url}/chat/completions.

One attempt per draft, never a retry loop: a person is waiting, and an endpoint that is
rate-limiting or down gets no storm of repeats. Every failure is an `AIDraftingError` whose
message says what happened and what to change.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from flarewatch.errors import FlarewatchError


class AIDraftingError(FlarewatchError):
    """The endpoint failed, refused or answered something that is not a draft."""


@dataclass(frozen=True)
class Endpoint:
    base_url: str
    model: str
    api_key: str | None = None
    timeout_seconds: float = 60.0
    temperature: float = 0.3
    max_tokens: int = 800

    @property
    def url(self) -> str:
        return f"{self.base_url.rstrip('/')}/chat/completions"


@dataclass(frozen=True)
class Completion:
    text: str
    model: str  # the model that answered, as the endpoint names it
    truncated: bool  # finish_reason "length": the answer hit max_tokens


def request_body(endpoint: Endpoint, messages: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "model": endpoint.model,
        "messages": messages,
        "temperature": endpoint.temperature,
        "max_tokens": endpoint.max_tokens,
        "stream": False,
    }


def complete(
    endpoint: Endpoint, messages: list[dict[str, str]], *, client: httpx.Client | None = None
) -> Completion:
    headers = {"Accept": "application/json"}
    if endpoint.api_key:
        headers["Authorization"] = f"Bearer {endpoint.api_key}"
    body = request_body(endpoint, messages)
    try:
        if client is None:
            with httpx.Client(timeout=endpoint.timeout_seconds) as own:
                response = own.post(endpoint.url, json=body, headers=headers)
        else:
            response = client.post(
                endpoint.url, json=body, headers=headers, timeout=endpoint.timeout_seconds
            )
    except httpx.TimeoutException:
        raise AIDraftingError(
            f"the AI endpoint {endpoint.url} did not answer within "
            f"{endpoint.timeout_seconds:g} seconds; try again, or raise [ai_drafting] "
            "timeout_seconds (a local model can need a minute on its first request)"
        ) from None
    except httpx.HTTPError as err:
        raise AIDraftingError(
            f"cannot reach the AI endpoint {endpoint.url} ({type(err).__name__}: {err}); check "
            "[ai_drafting] base_url and that the server is running (for Ollama: 'ollama serve')"
        ) from None
    _check_status(endpoint, response)
    return _completion(endpoint, response)


def _check_status(endpoint: Endpoint, response: httpx.Response) -> None:
    status = response.status_code
    if status < 400:
        return
    if status in (401, 403):
        raise AIDraftingError(
            f"the AI endpoint refused the request ({status}): check the API key that "
            "[ai_drafting] api_key_secret names, and that it may use model "
            f"{endpoint.model!r}"
        )
    if status == 404:
        raise AIDraftingError(
            f"the AI endpoint answered 404 for model {endpoint.model!r}: check [ai_drafting] "
            "model (for Ollama, 'ollama pull' it first) and base_url (it usually ends in /v1)"
        )
    if status == 429:
        wait = response.headers.get("retry-after")
        when = f"in {wait} seconds" if wait and wait.isdigit() else "in a minute"
        raise AIDraftingError(
            f"the AI endpoint is limiting requests (429); try again {when}, or check the "
            "account's quota"
        )
    raise AIDraftingError(
        f"the AI endpoint {endpoint.url} answered {status}{_detail(response)}; try again later"
    )


def _detail(response: httpx.Response) -> str:
    """The endpoint's own error message, when it sent one (OpenAI's `error.message`)."""
    try:
        error = response.json().get("error")
    except ValueError:
        return ""
    message = error.get("message") if isinstance(error, dict) else error
    return f" ({str(message)[:200]})" if message else ""


def _completion(endpoint: Endpoint, response: httpx.Response) -> Completion:
    try:
        payload = response.json()
        choice = payload["choices"][0]
        text = choice["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise AIDraftingError(
            f"the AI endpoint {endpoint.url} did not answer in the chat-completions format "
            "(choices[0].message.content); check that base_url is an OpenAI-compatible API"
        ) from None
    if not isinstance(text, str) or not text.strip():
        raise AIDraftingError("the AI endpoint answered with an empty draft; try again")
    model = payload.get("model") if isinstance(payload.get("model"), str) else endpoint.model
    return Completion(text, model or endpoint.model, choice.get("finish_reason") == "length")
