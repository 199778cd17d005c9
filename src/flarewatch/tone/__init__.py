"""The tone check for crisis-communication drafts (issue 21 §2), in he, pl and en.

`rules` loads the per-language rule files (``tone/rules/{en,he,pl}.toml``: phrase patterns with
their kind, reason and suggested rewording, written natively in each language); `limits` knows
each platform's length limit and how it counts; `check` is the pure function that flags a
draft; `cli` is ``flarewatch tone check``, `router` is POST /api/v1/tone/check and `evaluate`
measures precision and recall on the labelled drafts in tests/tone/data (docs/tone.md).
"""
