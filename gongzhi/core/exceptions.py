"""Domain errors. Their messages are full sentences for the user, translated."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused the operation; nothing was written."""

    def __init__(self, message: object, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.field = field


class NotAllowed(DomainError):
    """The actor may see the object but not do this to it (HTTP 403)."""


class InvalidTransition(DomainError):
    """The status change is not in the allowed-transitions table."""
