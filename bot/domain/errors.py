"""Domain refusals. Their text is written for the person who asked, in plain words."""

from __future__ import annotations


class DomainError(Exception):
    """The request cannot be done as asked; str() says why and what would work."""


class NotFound(DomainError):
    pass


class Forbidden(DomainError):
    pass
