"""Errors that services raise and every front end (CLI, API, pages) turns into a clear message."""

from __future__ import annotations


class FlarewatchError(Exception):
    """Base class: `str(err)` is a complete, user-facing sentence that says how to fix it."""


class NotFoundError(FlarewatchError):
    """The thing asked for does not exist, or not in the caller's workspace."""


class PermissionDeniedError(FlarewatchError):
    """The caller's role does not allow this action."""


class InvalidTransitionError(FlarewatchError):
    """A state change that the object's life cycle does not allow (e.g. closed → new)."""


class InputError(FlarewatchError):
    """Input that cannot be used, with where it is and how to fix it."""


class UnknownNameError(NotFoundError, InputError):
    """A name typed by the user (a case type) that the workspace does not have: not found for
    the API (404: the text itself is valid), input to fix for the command line (exit 2)."""
