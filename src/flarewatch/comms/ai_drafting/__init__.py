"""Optional AI drafting (issue 21 §9): any OpenAI-compatible endpoint (hosted, or a local
Ollama) drafts from the case facts, a template and the post being answered; the result is an
ordinary draft (origin "ai"), tone-checked and waiting for approval like any other. Without
`[ai_drafting]` in the workspace file it is off and nothing else changes. Start at
docs/communication-public-ai.md."""
