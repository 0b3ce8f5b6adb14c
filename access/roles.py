"""Which role may do what: reader (ask, browse), editor (+ upload, delete, update), admin (everything)."""

from __future__ import annotations

ROLES = ("reader", "editor", "admin")
ACTIONS = ("ask", "browse", "upload", "delete", "update", "rebuild", "users", "audit")
_ALLOWED = {
    "reader": {"ask", "browse"},
    "editor": {"ask", "browse", "upload", "delete", "update"},
    "admin": set(ACTIONS),
}
ROLE_LABELS = {"reader": "người đọc", "editor": "biên tập viên", "admin": "quản trị viên"}


def can(role: str, action: str) -> bool:
    """True when `role` may perform `action`; unknown roles and actions may do nothing."""
    return action in _ALLOWED.get(role, ())
