"""Domain exceptions of access control; the CLI and the app turn them into user text."""

from __future__ import annotations


class AccessError(Exception):
    """Base class of every error the access package reports to its callers."""


class LoginFailed(AccessError):
    """Wrong name or password (the message never says which)."""


class LockedOut(AccessError):
    """Too many failed logins for this name: refused until `until` (epoch seconds)."""

    def __init__(self, name: str, until: float) -> None:
        super().__init__(f"{name}: locked until {until:.0f}")
        self.name = name
        self.until = until


class UserExists(AccessError):
    """A user of that name already exists."""


class UnknownUser(AccessError):
    """No user of that name."""


class BadName(AccessError):
    """A user name that is empty, too long or holds characters other than letters, digits, . _ - @."""


class BadRole(AccessError):
    """A role other than reader, editor, admin."""


class WeakPassword(AccessError):
    """A password that is empty or shorter than the minimum length."""


class PasswordMismatch(AccessError):
    """The two passwords typed at the prompt differ."""
