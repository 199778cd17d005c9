"""`[ai_drafting]` in the workspace file: the OpenAI-compatible endpoint a workspace drafts with.

Absent: AI drafting is off (the default). The API key is never in the file: `api_key_secret`
names it, and it is read from the environment or the workspace's credential store
(sources/credentials.py), like a source's `*_env` keys.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


class AIDraftingConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    base_url: str = Field(
        min_length=8,
        max_length=500,
        description="The endpoint's base, e.g. http://localhost:11434/v1 (Ollama) or "
        "https://api.openai.com/v1; Flarewatch posts to {base_url}/chat/completions",
    )
    model: str = Field(min_length=1, max_length=200, description="The model's name, e.g. llama3.1")
    api_key_secret: str | None = Field(
        default=None,
        pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,99}$",
        description="The name of the secret holding the API key (environment or stored "
        "credentials), e.g. OPENAI_API_KEY; leave it out for a local endpoint",
    )
    timeout_seconds: float = Field(
        default=60.0, gt=0.0, le=600.0, description="How long one request may take"
    )
    temperature: float = Field(default=0.3, ge=0.0, le=2.0)
    max_tokens: int = Field(default=800, ge=16, le=16_000, description="The longest answer")

    @field_validator("base_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        if not value.lower().startswith(("http://", "https://")):
            raise ValueError(
                "use the endpoint's web address, e.g. 'http://localhost:11434/v1' for Ollama "
                "or 'https://api.openai.com/v1'"
            )
        return value.rstrip("/")
