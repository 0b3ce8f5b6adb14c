"""The desk's access pages in Streamlit: login form, first administrator, refusal, account box,
audit log page (Nhật ký) and users page (Người dùng). app.py calls `require_user()` first."""

from __future__ import annotations

import os
import signal
import sys
import threading

from pathlib import Path

import streamlit as st

from deskui.text import md
from indexer.uploads import NotInCorpus, delete_document

from .audit import AuditLog
from .errors import AccessError, LockedOut, LoginFailed
from .messages import error_text, first_admin_command, lockout_text
from .roles import ROLE_LABELS, ROLES, can
from .session import is_loopback, local_request, new_session, session_user
from .store import MIN_PASSWORD_LENGTH, User, UserStore

AUDIT_PAGE = "Nhật ký"
USERS_PAGE = "Người dùng"
PAGE_ACTIONS = {"Hỏi đáp": "ask", "Văn bản": "browse", "Cập nhật": "update", AUDIT_PAGE: "audit", USERS_PAGE: "users"}
ACTION_LABELS = {
    "login": "đăng nhập", "login_failed": "đăng nhập sai", "logout": "đăng xuất", "upload": "tải lên",
    "delete": "xóa văn bản", "update": "cập nhật chỉ mục", "rebuild": "xây dựng lại", "api": "gọi API",
}
SESSION_KEY = "auth_user"


def pages_for(role: str, pages: list[str]) -> list[str]:
    """The app's pages this role may open (a page not listed in PAGE_ACTIONS counts as browsing), then
    the access pages the role may open."""
    shown = [p for p in pages if can(role, PAGE_ACTIONS.get(p, "browse"))]
    return shown + [p for p in (AUDIT_PAGE, USERS_PAGE) if p not in shown and can(role, PAGE_ACTIONS[p])]


def audit(action: str, user: str, file: str | None = None, sha256: str | None = None,
          detail: str | None = None) -> None:
    """Record an action; a failure to write the log is shown, never raised into the page."""
    try:
        AuditLog().record(action, user, file=file, sha256=sha256, detail=detail)
    except OSError as exc:
        st.warning(f"Không ghi được nhật ký ({exc.strerror or exc}).")


def require_user() -> User:
    """The logged-in user; otherwise shows the login form (or the first-admin form, or the refusal)
    and stops the script run here."""
    store = UserStore()
    if not store.has_users():
        address = st.get_option("server.address")
        if not is_loopback(address):
            _refuse(address)
        _first_admin_form(store)
        st.stop()
    session = st.session_state.get(SESSION_KEY)
    user = session_user(session)
    if session is not None and user is None:
        del st.session_state[SESSION_KEY]
        st.info("Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại.")
    if user is not None:
        current = store.get(user.name)  # removed users lose access; a changed role applies at once
        if current is None:
            del st.session_state[SESSION_KEY]
            user = None
        elif current.role != user.role:
            st.session_state[SESSION_KEY] = dict(session, role=current.role)
            user = current
    if user is None:
        _login_form(store)
        st.stop()
    return user


def _refuse(address: str | None) -> None:
    """No users and a network address: say how to create the first admin, then stop the server."""
    where = address or "mọi giao diện mạng"
    text = (f"Chưa có người dùng nào nên bàn tra cứu không phục vụ trên địa chỉ mạng ({where}). "
            f"Hãy tạo quản trị viên đầu tiên bằng lệnh: {first_admin_command()} "
            "rồi chạy lại; hoặc chạy trên máy này với --server.address 127.0.0.1.")
    st.error(text)
    from streamlit.runtime import Runtime

    if Runtime.exists() and type(Runtime.instance()) is Runtime:  # a real server, not a test harness
        print(text, file=sys.stderr, flush=True)
        threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGTERM)).start()
    st.stop()


def _first_admin_form(store: UserStore) -> None:
    st.title("Tra cứu văn bản chỉ đạo")
    st.warning("Chưa có người dùng nào. Tạo quản trị viên đầu tiên bằng lệnh sau (trong thư mục dự án):")
    st.code(first_admin_command(), language="bash")
    if not local_request(st.context.headers):
        st.info("Trang này được mở qua mạng hoặc qua máy chủ trung gian: chỉ tạo được quản trị viên bằng lệnh trên.")
        return
    st.caption("Hoặc, vì trang này chỉ mở trên chính máy này (127.0.0.1), tạo ngay tại đây:")
    with st.form("first_admin"):
        name = st.text_input("Tên đăng nhập", key="first_name")
        password = st.text_input("Mật khẩu", type="password", key="first_password",
                                 help=f"Ít nhất {MIN_PASSWORD_LENGTH} ký tự.")
        again = st.text_input("Nhập lại mật khẩu", type="password", key="first_again")
        submitted = st.form_submit_button("Tạo quản trị viên", key="first_submit")
    if not submitted:
        return
    if password != again:
        st.error("Hai lần nhập mật khẩu không khớp.")
        return
    if store.has_users():
        st.error("Đã có người dùng. Hãy tải lại trang và đăng nhập.")
        return
    try:
        user = store.add(name, password, "admin")
    except AccessError as exc:
        st.error(error_text(exc))
        return
    _start_session(user)


def _login_form(store: UserStore) -> None:
    st.title("Tra cứu văn bản chỉ đạo")
    with st.form("login"):
        st.subheader("Đăng nhập")
        name = st.text_input("Tên đăng nhập", key="login_name")
        password = st.text_input("Mật khẩu", type="password", key="login_password")
        submitted = st.form_submit_button("Đăng nhập", key="login_submit")
    if not submitted:
        return
    typed = name.strip()[:64]
    try:
        user = store.authenticate(typed, password)
    except LockedOut as exc:
        audit("login_failed", typed, detail="tạm khóa")
        st.error(lockout_text(exc))
        return
    except LoginFailed as exc:
        audit("login_failed", typed, detail="sai tên hoặc mật khẩu")
        st.error(error_text(exc))
        return
    _start_session(user)


def _start_session(user: User) -> None:
    st.session_state[SESSION_KEY] = new_session(user)
    audit("login", user.name)
    st.rerun()


def account_box(user: User) -> None:
    """Sidebar: who is logged in, and the logout button."""
    st.caption(f"Đăng nhập: {md(user.name)} ({ROLE_LABELS.get(user.role, user.role)})")
    if st.button("Đăng xuất", key="logout"):
        audit("logout", user.name)
        st.session_state.pop(SESSION_KEY, None)
        st.rerun()


def delete_form(corpus: Path, sources: set[str], user: User) -> bool:
    """Editors: pick a document, confirm, and its file leaves the corpus (logged); True when one was
    deleted (the caller then updates the index)."""
    if not can(user.role, "delete"):
        return False
    gone = st.selectbox("Xóa một văn bản khỏi kho", sorted(sources), index=None, key="delete_source",
                        placeholder="Chọn tệp…")
    sure = st.checkbox("Tôi chắc chắn muốn xóa tệp này khỏi kho", key="delete_sure", disabled=gone is None)
    if not st.button("Xóa và cập nhật chỉ mục", key="do_delete", disabled=gone is None or not sure):
        return False
    try:
        digest = delete_document(corpus, gone)
    except NotInCorpus:
        st.error(f"{md(gone)}: không còn trong thư mục văn bản.")
        return False
    audit("delete", user.name, file=gone, sha256=digest)
    st.success(f"Đã xóa {md(gone)} khỏi thư mục văn bản.")
    return True


def provenance(source: str) -> str:
    """Who added a corpus file and when (from the audit log's upload records), or that it came with the corpus."""
    try:
        entry = AuditLog().uploads().get(source)
    except OSError:
        entry = None
    if entry is None:
        return "có sẵn trong kho"
    return f"thêm bởi {entry['user']} lúc {_display_time(entry['time'])}"


def _display_time(iso: str) -> str:
    # "2026-12-02T08:40:11+00:00" -> "02/12/2026 08:40"
    return f"{iso[8:10]}/{iso[5:7]}/{iso[0:4]} {iso[11:16]}" if len(iso) >= 16 else iso


def page_audit() -> None:
    """Admins: the audit log, newest first, filtered by action and user."""
    st.header(AUDIT_PAGE)
    entries = AuditLog().read(limit=5000)
    c1, c2 = st.columns(2)
    actions = c1.multiselect("Hành động", list(ACTION_LABELS), format_func=lambda a: ACTION_LABELS[a],
                             key="audit_actions", placeholder="Tất cả")
    users = sorted({str(e.get("user")) for e in entries})
    who = c2.selectbox("Người dùng", users, index=None, key="audit_user", placeholder="Tất cả")
    rows = [
        {"Thời gian": _display_time(str(e.get("time", ""))) + str(e.get("time", ""))[16:19],
         "Người dùng": e.get("user"), "Hành động": ACTION_LABELS.get(e.get("action"), e.get("action")),
         "Tệp": e.get("file") or "", "SHA-256": e.get("sha256") or "", "Chi tiết": e.get("detail") or ""}
        for e in entries
        if (not actions or e.get("action") in actions) and (who is None or str(e.get("user")) == who)
    ]
    st.caption(f"{len(rows)} mục (mới nhất trước).")
    if rows:
        st.dataframe(rows, hide_index=True, key="audit_table")
    else:
        st.info("Không có mục nào.")


def page_users(current: User) -> None:
    """Admins: add a user, remove one (not oneself), and the list of users with their roles."""
    st.header(USERS_PAGE)
    store = UserStore()
    with st.form("add_user", clear_on_submit=True):
        st.subheader("Thêm người dùng")
        name = st.text_input("Tên đăng nhập", key="new_user_name")
        role = st.selectbox("Vai trò", ROLES, format_func=lambda r: ROLE_LABELS[r], key="new_user_role")
        password = st.text_input("Mật khẩu", type="password", key="new_user_password",
                                 help=f"Ít nhất {MIN_PASSWORD_LENGTH} ký tự.")
        if st.form_submit_button("Thêm", key="new_user_submit"):
            try:
                user = store.add(name, password, role)
                st.success(f"Đã tạo người dùng {md(user.name)} ({ROLE_LABELS[user.role]}).")
            except AccessError as exc:
                st.error(error_text(exc))
    others = [u.name for u in store.list() if u.name != current.name]
    if others:
        gone = st.selectbox("Xóa người dùng", others, index=None, key="remove_user", placeholder="Chọn…")
        if st.button("Xóa người dùng này", key="remove_user_submit", disabled=gone is None):
            try:
                store.remove(gone)
                st.success(f"Đã xóa người dùng {md(gone)} cùng các mã truy cập của họ.")
            except AccessError as exc:
                st.error(error_text(exc))
    st.dataframe([{"Tên": u.name, "Vai trò": ROLE_LABELS[u.role]} for u in store.list()], hide_index=True,
                 key="users_table")
    st.caption("Dòng lệnh tương đương: python -m indexer users add|list|remove|token.")
