"""User-facing Vietnamese text for access errors (used only by the CLI and the app)."""

from __future__ import annotations

import time
from pathlib import Path

from .errors import (AccessError, BadName, BadRole, LockedOut, LoginFailed, PasswordMismatch, UnknownUser,
                     UserExists, WeakPassword)
from .paths import state_dir
from .roles import ROLE_LABELS, ROLES


def first_admin_command(state: Path | None = None) -> str:
    """The exact command that creates the first administrator (with --state when not the default)."""
    state = state_dir() if state is None else state
    extra = "" if state == Path("state") else f" --state {state}"
    return f".venv/bin/python -m indexer users{extra} add quantri --role admin"


def lockout_text(exc: LockedOut, now: float | None = None) -> str:
    """When a locked name may try again."""
    now = time.time() if now is None else now
    minutes = max(1, int((exc.until - now + 59) // 60))
    return f"Đăng nhập sai quá nhiều lần: tài khoản {exc.name} tạm khóa, hãy thử lại sau {minutes} phút."


def error_text(exc: AccessError) -> str:
    """One sentence for an access error."""
    if isinstance(exc, LoginFailed):
        return "Sai tên đăng nhập hoặc mật khẩu."
    if isinstance(exc, LockedOut):
        return lockout_text(exc)
    if isinstance(exc, UserExists):
        return f"Đã có người dùng {exc}."
    if isinstance(exc, UnknownUser):
        return f"Không có người dùng {exc}."
    if isinstance(exc, BadName):
        return (f"Tên người dùng không hợp lệ: {str(exc)!r}. Chỉ dùng chữ, số và các dấu . _ - @ "
                "(tối đa 64 ký tự).")
    if isinstance(exc, BadRole):
        roles = ", ".join(f"{r} ({ROLE_LABELS[r]})" for r in ROLES)
        return f"Vai trò không hợp lệ: {exc}. Chọn một trong: {roles}."
    if isinstance(exc, WeakPassword):
        return f"Mật khẩu quá ngắn: cần ít nhất {exc} ký tự."
    if isinstance(exc, PasswordMismatch):
        return "Hai lần nhập mật khẩu không khớp. Chưa tạo người dùng."
    return f"Lỗi: {exc}"
