"""Message templates: pre-approved holding statements, replies and updates per playbook,
audience, platform and language, filled from the case (docs/communication-templates.md)."""
