"""Daily and weekly digests of a workspace: what happened, sent at a local time."""
