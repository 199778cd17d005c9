"""On call: people, rotas, escalation policies and who gets paged when (issue 19).

`config` is the workspace file's schema for them, `rota` and `urgency` are pure functions of an
instant, `escalation` plans the paging timeline of an alert. Nothing here imports the database.
"""
