"""The reply queue of a case (issue 21 §4): the posts that need an answer, who answers them,
their reply drafts, and the case's time-to-reply and coverage figures (docs/communication.md)."""
