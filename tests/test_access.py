"""Users, roles, lockout, tokens, sessions, bind rule and the audit log (no model, no index)."""

import io
import json
import sqlite3

import pytest
from argon2 import PasswordHasher

import access.store
from access.audit import AuditLog
from access.errors import BadName, BadRole, LockedOut, LoginFailed, UnknownUser, UserExists, WeakPassword
from access.messages import first_admin_command
from access.paths import state_dir
from access.roles import ACTIONS, can
from access.session import is_loopback, local_request, may_serve, new_session, session_user
from access.store import User, UserStore
from indexer.__main__ import main as indexer_main

PASSWORD = "mật khẩu đủ dài"


class Clock:
    def __init__(self, t=1_000_000.0):
        self.t = t

    def __call__(self):
        return self.t


@pytest.fixture()
def cheap_hashing(monkeypatch):
    """Argon2id at the lowest cost (about 3 ms a hash instead of about 0.5 s of CPU): these tests are about the
    store's logic; test_password_stored_as_argon2_hash checks the real parameters."""
    monkeypatch.setattr(access.store, "PasswordHasher", lambda: PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


@pytest.fixture()
def store(tmp_path, cheap_hashing):
    return UserStore(tmp_path / "users.sqlite3")


def test_add_list_get_remove(store):
    assert not store.has_users() and store.list() == []
    assert not store.path.exists()  # reading creates nothing
    assert store.add(" An ", PASSWORD, "editor") == User("an", "editor")
    store.add("quantri", PASSWORD, "admin")
    assert store.has_users()
    assert store.list() == [User("an", "editor"), User("quantri", "admin")]
    assert store.get("AN") == User("an", "editor") and store.get("ai") is None
    assert oct(store.path.stat().st_mode & 0o777) == "0o600"
    store.remove("an")
    assert store.list() == [User("quantri", "admin")]
    with pytest.raises(UnknownUser):
        store.remove("an")


def test_add_refuses_bad_input(store):
    store.add("an", PASSWORD, "reader")
    with pytest.raises(UserExists):
        store.add("AN", PASSWORD, "admin")
    for name in ("", "a b", "x/y", "a" * 65, "<b>"):
        with pytest.raises(BadName):
            store.add(name, PASSWORD, "reader")
    with pytest.raises(BadRole):
        store.add("binh", PASSWORD, "boss")
    for password in ("", "1234567"):
        with pytest.raises(WeakPassword):
            store.add("binh", password, "reader")
    assert store.list() == [User("an", "reader")]


def test_password_stored_as_argon2_hash(tmp_path):
    store = UserStore(tmp_path / "users.sqlite3")  # the real hashing parameters
    store.add("an", PASSWORD, "reader")
    (digest,) = sqlite3.connect(store.path).execute("SELECT hash FROM users").fetchone()
    assert digest.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert PASSWORD.encode() not in store.path.read_bytes()


def test_authenticate(store):
    store.add("an", PASSWORD, "editor")
    assert store.authenticate("An", PASSWORD) == User("an", "editor")
    with pytest.raises(LoginFailed):
        store.authenticate("an", PASSWORD + "x")
    with pytest.raises(LoginFailed):
        store.authenticate("ai-do", PASSWORD)
    with pytest.raises(LoginFailed):
        store.authenticate("a b", PASSWORD)


def test_lockout_after_five_failures_persists_and_expires(tmp_path, cheap_hashing):
    clock = Clock()
    path = tmp_path / "users.sqlite3"
    UserStore(path).add("an", PASSWORD, "reader")
    for _ in range(4):
        with pytest.raises(LoginFailed):
            UserStore(path, clock=clock).authenticate("an", "sai mat khau")
    with pytest.raises(LockedOut) as locked:  # the fifth failure locks the name
        UserStore(path, clock=clock).authenticate("an", "sai mat khau")
    assert locked.value.until == clock.t + 300
    clock.t += 299
    with pytest.raises(LockedOut):  # even the right password, from a new store object (persisted)
        UserStore(path, clock=clock).authenticate("an", PASSWORD)
    clock.t += 2
    assert UserStore(path, clock=clock).authenticate("an", PASSWORD) == User("an", "reader")
    with pytest.raises(LoginFailed):  # success reset the count: one failure is not a lock
        UserStore(path, clock=clock).authenticate("an", "sai mat khau")


def test_unknown_names_are_limited_too(store):
    clock = Clock()
    store = UserStore(store.path, max_failures=2, lockout_seconds=60, clock=clock)
    with pytest.raises(LoginFailed):
        store.authenticate("khong-co", "x" * 8)
    with pytest.raises(LockedOut):
        store.authenticate("khong-co", "x" * 8)


def test_tokens(store):
    store.add("an", PASSWORD, "editor")
    token = store.issue_token("an")
    other = store.issue_token("an")
    assert token != other and token.startswith("vnds_") and len(token) > 40
    assert store.verify_token(token) == User("an", "editor")
    assert store.verify_token(token + "x") is None and store.verify_token("") is None
    assert token.encode() not in store.path.read_bytes()  # stored hashed
    with pytest.raises(UnknownUser):
        store.issue_token("ai-do")
    assert store.revoke_tokens("an") == 2
    assert store.verify_token(other) is None
    third = store.issue_token("an")
    store.remove("an")
    assert store.verify_token(third) is None


def test_roles():
    table = {role: {a for a in ACTIONS if can(role, a)} for role in ("reader", "editor", "admin", "khach")}
    assert table == {
        "reader": {"ask", "browse"},
        "editor": {"ask", "browse", "upload", "delete", "update"},
        "admin": set(ACTIONS),
        "khach": set(),
    }
    assert not can("admin", "format-disk")


def test_session_expiry(monkeypatch):
    monkeypatch.setenv("VNDS_SESSION_HOURS", "2")
    s = new_session(User("an", "reader"), now=1000.0)
    assert s == {"name": "an", "role": "reader", "expires": 1000.0 + 7200}
    assert session_user(s, now=1000.0 + 7199) == User("an", "reader")
    assert session_user(s, now=1000.0 + 7200) is None
    assert session_user(None) is None and session_user({"name": "an"}) is None
    assert session_user({"name": "an", "role": "reader", "expires": "x"}) is None


@pytest.mark.parametrize("address, loopback", [
    ("", False), (None, False), ("0.0.0.0", False), ("::", False), ("192.168.1.10", False),
    ("desk.example", False), ("127.0.0.1", True), ("127.0.1.1", True), ("::1", True), ("[::1]", True),
    ("localhost", True), ("unix:///run/desk.sock", True),
])
def test_is_loopback(address, loopback):
    assert is_loopback(address) is loopback
    assert may_serve(address, has_users=False) is loopback
    assert may_serve(address, has_users=True)


@pytest.mark.parametrize("headers, local", [
    ({}, True), ({"Host": "localhost:8501"}, True), ({"host": "127.0.0.1:8501"}, True), ({"Host": "[::1]:8501"}, True),
    ({"Host": "tracuu.example.vn"}, False), ({"Host": "192.168.1.10:8501"}, False),
    ({"Host": "localhost:8501", "X-Forwarded-For": "10.0.0.7"}, False),
    ({"Host": "127.0.0.1:8501", "Forwarded": "for=10.0.0.7"}, False),
])
def test_local_request(headers, local):
    assert local_request(headers) is local


def test_state_dir_default(monkeypatch, tmp_path):
    monkeypatch.delenv("VNDS_STATE_DIR")
    monkeypatch.delenv("VNDS_INDEX", raising=False)
    assert str(state_dir()) == "state"
    assert first_admin_command() == ".venv/bin/python -m indexer users add quantri --role admin"
    monkeypatch.setenv("VNDS_INDEX", str(tmp_path / "data" / "index"))
    assert state_dir() == tmp_path / "data" / "state"
    assert first_admin_command().endswith(f"users --state {tmp_path / 'data' / 'state'} add quantri --role admin")


def test_audit_record_and_read(tmp_path):
    log = AuditLog(tmp_path / "audit.jsonl")
    assert log.read() == []
    log.record("login", "an")
    log.record("upload", "an", file="cv.txt", sha256="ab" * 32)
    log.record("login_failed", "<b>x</b>", detail="sai mật khẩu")
    entries = log.read()
    assert [e["action"] for e in entries] == ["login_failed", "upload", "login"]  # newest first
    assert entries[0]["user"] == "<b>x</b>" and entries[0]["detail"] == "sai mật khẩu"
    assert entries[1]["file"] == "cv.txt" and entries[1]["sha256"] == "ab" * 32
    assert entries[2]["time"][:4].isdigit() and entries[2]["time"][10] == "T"
    assert [e["action"] for e in log.read(limit=1)] == ["login_failed"]
    with pytest.raises(ValueError):
        log.record("hack", "an")
    lines = (tmp_path / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and json.loads(lines[2])["detail"] == "sai mật khẩu"


def test_audit_skips_damaged_lines_and_tracks_uploads(tmp_path):
    path = tmp_path / "audit.jsonl"
    log = AuditLog(path)
    log.record("upload", "an", file="a.txt", sha256="1" * 64)
    with open(path, "a", encoding="utf-8") as f:
        f.write('{"action": "upload", "fi\n')
    log.record("upload", "binh", file="b.txt", sha256="2" * 64)
    assert {k: v["user"] for k, v in log.uploads().items()} == {"a.txt": "an", "b.txt": "binh"}
    log.record("delete", "binh", file="a.txt")
    log.record("upload", "chi", file="b.txt", sha256="3" * 64)
    assert {k: v["user"] for k, v in log.uploads().items()} == {"b.txt": "chi"}
    assert len(log.read()) == 4


def run_cli(monkeypatch, capsys, args, stdin=""):
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = indexer_main(["users", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_users(monkeypatch, capsys, tmp_path, cheap_hashing):
    state = tmp_path / "state"
    code, out, _ = run_cli(monkeypatch, capsys, ["list"])
    assert (code, out.strip()) == (0, "Chưa có người dùng nào. Tạo quản trị viên đầu tiên: "
                                      f".venv/bin/python -m indexer users --state {state} add quantri --role admin")
    code, _, err = run_cli(monkeypatch, capsys, ["add", "an", "--role", "editor"], "ngan\n")
    assert (code, err.strip()) == (1, "Mật khẩu quá ngắn: cần ít nhất 8 ký tự.")
    code, out, _ = run_cli(monkeypatch, capsys, ["add", "an", "--role", "editor"], PASSWORD + "\n")
    assert (code, out.strip()) == (0, "Đã tạo người dùng an (vai trò: editor, biên tập viên).")
    code, _, err = run_cli(monkeypatch, capsys, ["add", "an"], PASSWORD + "\n")
    assert (code, err.strip()) == (1, "Đã có người dùng an.")
    assert run_cli(monkeypatch, capsys, ["list"])[1] == "an\teditor\tbiên tập viên\n"
    code, token, err = run_cli(monkeypatch, capsys, ["token", "an"])
    assert code == 0 and "chỉ hiện một lần" in err
    assert UserStore(state / "users.sqlite3").verify_token(token.strip()) == User("an", "editor")
    assert UserStore().authenticate("an", PASSWORD) == User("an", "editor")  # stdin line, newline dropped
    code, out, _ = run_cli(monkeypatch, capsys, ["remove", "an"])
    assert (code, out.strip()) == (0, "Đã xóa người dùng an cùng các mã truy cập của họ.")
    code, _, err = run_cli(monkeypatch, capsys, ["token", "an"])
    assert (code, err.strip()) == (1, "Không có người dùng an.")
