"""Crisis communication (issue 21): drafts and their versions, templates, approvals, the reply
queue, publishing and the kill switch, private contact, the public update page, stakeholder
updates and optional AI drafting. Start at docs/communication.md."""
