"""`python -m indexer users add|list|remove|token`: manage who may log in (a thin layer over UserStore)."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from .errors import AccessError, PasswordMismatch
from .messages import error_text, first_admin_command
from .roles import ROLE_LABELS, ROLES
from .store import UserStore, check_password


def add_parser(sub: argparse._SubParsersAction) -> None:
    """The `users` sub-command with its own sub-commands."""
    u = sub.add_parser("users", help="quản lý người dùng (đăng nhập, vai trò, mã truy cập API)")
    u.add_argument("--state", default=None,
                   help="thư mục lưu người dùng và nhật ký (mặc định: $VNDS_STATE_DIR, hoặc state/ cạnh thư mục chỉ mục)")
    us = u.add_subparsers(dest="users_command", required=True)
    a = us.add_parser("add", help="thêm người dùng (mật khẩu hỏi khi chạy, hoặc đọc từ stdin)")
    a.add_argument("name", help="tên đăng nhập")
    a.add_argument("--role", choices=ROLES, default="reader", help="vai trò: reader, editor, admin (mặc định reader)")
    us.add_parser("list", help="liệt kê người dùng")
    r = us.add_parser("remove", help="xóa người dùng (cùng các mã truy cập của họ)")
    r.add_argument("name")
    t = us.add_parser("token", help="cấp một mã truy cập API (in ra một lần)")
    t.add_argument("name")
    t.add_argument("--revoke", action="store_true", help="thu hồi mọi mã truy cập của người dùng này")


def read_password(stdin=None) -> str:
    """From an interactive prompt (asked twice), or the first line of stdin when it is not a terminal."""
    stdin = sys.stdin if stdin is None else stdin
    if stdin.isatty():
        first = getpass.getpass("Mật khẩu: ")
        check_password(first)
        if getpass.getpass("Nhập lại mật khẩu: ") != first:
            raise PasswordMismatch()
        return first
    return stdin.readline().rstrip("\r\n")


def run(args: argparse.Namespace) -> int:
    """Carry out one `users` command; returns the exit code."""
    store = UserStore(Path(args.state) / "users.sqlite3" if args.state else None)
    try:
        if args.users_command == "add":
            user = store.add(args.name, read_password(), args.role)
            print(f"Đã tạo người dùng {user.name} (vai trò: {user.role}, {ROLE_LABELS[user.role]}).")
        elif args.users_command == "list":
            users = store.list()
            if not users:
                print(f"Chưa có người dùng nào. Tạo quản trị viên đầu tiên: {first_admin_command(_state(args))}")
            for user in users:
                print(f"{user.name}\t{user.role}\t{ROLE_LABELS[user.role]}")
        elif args.users_command == "remove":
            store.remove(args.name)
            print(f"Đã xóa người dùng {args.name} cùng các mã truy cập của họ.")
        elif args.revoke:
            n = store.revoke_tokens(args.name)
            print(f"Đã thu hồi {n} mã truy cập của {args.name}.")
        else:
            token = store.issue_token(args.name)
            print(f"Mã truy cập API của {args.name} (chỉ hiện một lần, hãy lưu lại; gửi trong tiêu đề "
                  f"Authorization: Bearer ...):", file=sys.stderr)
            print(token)
    except AccessError as exc:
        print(error_text(exc), file=sys.stderr)
        return 1
    return 0


def _state(args: argparse.Namespace) -> Path | None:
    return Path(args.state) if args.state else None
