"""The public update page of a case (issue 21 §7): the approved statements and updates and the
figures the brand chooses to share, at `/public/{token}` without sign-in. Start at
docs/communication-public-ai.md."""
