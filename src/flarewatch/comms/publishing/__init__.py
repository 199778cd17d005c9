"""Publishing approved drafts through the workspace's own channels, on a schedule, behind the
approval gate and the kill switch; and the guard on hiding criticism
(docs/communication-publishing.md)."""
