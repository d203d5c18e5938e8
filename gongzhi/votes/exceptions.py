"""Refusals of the ballot engine that callers tell apart from other domain errors."""

from __future__ import annotations

from gongzhi.core.exceptions import DomainError


class AlreadyVoted(DomainError):
    """This voter has a ballot in this poll already, by whatever channel."""


class ResultsSealed(DomainError):
    """The result is not counted yet (before close) or not yet published to this reader."""
