"""Login, roles and the audit log in the Streamlit desk (streamlit.testing.v1.AppTest)."""

import hashlib
import html
import shutil

import pytest

from access.audit import AuditLog
from access.store import User, UserStore

from .conftest import CORPUS, ROOT, TEST_PASSWORD, login

pytestmark = pytest.mark.slow  # every test runs the Streamlit app (AppTest): seconds each, as in test_app.py

PASSWORD = "mật khẩu của lan"
NOTICE = ("THÀNH ĐOÀN HẢI PHÒNG\nSố 88-TB/TĐTN\nThông báo về lịch sinh hoạt chi đoàn tháng 12\n\n"
          "1. Các chi đoàn tổ chức sinh hoạt chuyên đề về bảo vệ môi trường biển vào ngày thứ bảy tuần thứ hai "
          "của tháng, có báo cáo kết quả thu gom rác thải nhựa ven biển gửi về văn phòng Thành đoàn.\n")


@pytest.fixture()
def desk(tmp_path, monkeypatch):
    """A private corpus and an index folder path (the index is copied in only by tests that need it)."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    monkeypatch.setenv("VNDS_CORPUS", str(corpus))
    monkeypatch.setenv("VNDS_INDEX", str(tmp_path / "index"))
    return corpus, tmp_path / "index"


@pytest.fixture()
def address():
    """Set the server address the app sees (the option `streamlit run --server.address` sets)."""
    from streamlit import config

    before = config.get_option("server.address")

    def set_address(value):
        config.set_option("server.address", value, where_defined="test")

    yield set_address
    config.set_option("server.address", before, where_defined="test")


def new_app():
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)


def run(at):
    at.run()
    assert not at.exception, at.exception
    return at


def submit_login(at, name, password):
    at.text_input(key="login_name").input(name)
    at.text_input(key="login_password").input(password)
    at.button(key="login_submit").click()
    return run(at)


def test_without_login_only_the_login_form_shows(desk):
    UserStore().add("lan", PASSWORD, "editor")
    at = run(new_app())
    assert [t.key for t in at.text_input] == ["login_name", "login_password"]
    assert [b.key for b in at.button] == ["login_submit"]
    assert at.title[0].value == "Tra cứu văn bản chỉ đạo" and at.subheader[0].value == "Đăng nhập"
    assert not at.sidebar.radio and not at.radio and not at.code and not at.dataframe
    assert not any(e.type == "file_uploader" for e in at.main)  # nothing of the pages
    assert not desk[1].exists()  # no index was built or loaded for an anonymous visitor


def test_wrong_password_is_refused_and_logged_then_right_one_logs_in(desk, seed_index):
    shutil.copytree(seed_index, desk[1])
    UserStore().add("lan", PASSWORD, "editor")
    at = submit_login(run(new_app()), "lan", "mat khau sai")
    assert [e.value for e in at.error] == ["Sai tên đăng nhập hoặc mật khẩu."]
    assert at.text_input(key="login_password") is not None and not at.sidebar.radio
    failed = AuditLog().read()
    assert [(e["action"], e["user"]) for e in failed] == [("login_failed", "lan")]
    assert "mat khau sai" not in (AuditLog().path.read_text(encoding="utf-8"))  # passwords never logged
    at = submit_login(at, "lan", PASSWORD)
    assert at.session_state["auth_user"]["name"] == "lan"
    assert at.sidebar.radio(key="page").options == ["Hỏi đáp", "Văn bản", "Cập nhật"]
    assert [(e["action"], e["user"]) for e in AuditLog().read()] == [("login", "lan"), ("login_failed", "lan")]
    at.sidebar.button(key="logout").click()
    run(at)
    assert "auth_user" not in at.session_state and at.text_input(key="login_name") is not None
    assert AuditLog().read()[0]["action"] == "logout"


def test_a_reader_cannot_see_the_upload_page(desk, seed_index):
    shutil.copytree(seed_index, desk[1])
    at = new_app()
    login(at, "reader")
    at.session_state["page"] = "Cập nhật"  # even asked for directly
    run(at)
    assert at.sidebar.radio(key="page").options == ["Hỏi đáp", "Văn bản"]
    assert at.sidebar.radio(key="page").value == "Hỏi đáp"
    assert at.header[0].value == "Hỏi đáp"
    assert not any(e.type == "file_uploader" for e in at.main)
    assert not [b for b in at.button if b.key in ("do_upload", "do_delete", "rebuild")]


def test_roles_decide_the_pages_and_buttons(desk, seed_index):
    shutil.copytree(seed_index, desk[1])
    at = new_app()
    login(at, "editor")
    at.session_state["page"] = "Cập nhật"
    run(at)
    assert at.sidebar.radio(key="page").options == ["Hỏi đáp", "Văn bản", "Cập nhật"]
    assert {"do_upload", "do_delete"} <= {b.key for b in at.button} and "rebuild" not in {b.key for b in at.button}
    at = new_app()
    login(at, "admin")
    at.session_state["page"] = "Cập nhật"
    run(at)
    assert at.sidebar.radio(key="page").options == ["Hỏi đáp", "Văn bản", "Cập nhật", "Nhật ký", "Người dùng"]
    assert {"do_upload", "do_delete", "rebuild"} <= {b.key for b in at.button}
    at.sidebar.radio(key="page").set_value("Người dùng")
    run(at)
    assert [r["Tên"] for r in at.dataframe[0].value.to_dict("records")] == ["thu-admin", "thu-editor"]


def test_expired_session_shows_the_login_form(desk, monkeypatch):
    at = new_app()
    login(at, "editor")
    at.session_state["auth_user"] = dict(at.session_state["auth_user"], expires=1.0)
    run(at)
    assert [t.key for t in at.text_input] == ["login_name", "login_password"]
    assert at.info[0].value == "Phiên đăng nhập đã hết hạn. Hãy đăng nhập lại."


def test_a_removed_user_loses_the_session(desk):
    at = new_app()
    login(at, "editor")
    UserStore().add("con-lai", PASSWORD, "admin")
    UserStore().remove("thu-editor")
    run(at)
    assert [t.key for t in at.text_input] == ["login_name", "login_password"]


def test_non_loopback_without_users_refuses(desk, address, tmp_path):
    for where in ("", "0.0.0.0", "192.168.1.20"):
        address(where)
        at = run(new_app())
        assert len(at.error) == 1 and not at.text_input and not at.button
        assert at.error[0].value.startswith("Chưa có người dùng nào nên bàn tra cứu không phục vụ trên địa chỉ mạng")
        assert f".venv/bin/python -m indexer users --state {tmp_path / 'state'} add quantri --role admin" in at.error[0].value
    UserStore().add("quantri", PASSWORD, "admin")
    at = run(new_app())
    assert [t.key for t in at.text_input] == ["login_name", "login_password"]  # with a user: the login form


def test_loopback_without_users_offers_the_first_admin_form(desk, address, seed_index):
    shutil.copytree(seed_index, desk[1])
    address("127.0.0.1")
    at = run(new_app())
    assert at.code[0].value.endswith("users --state " + str(desk[0].parent / "state") + " add quantri --role admin")
    at.text_input(key="first_name").input("quantri")
    at.text_input(key="first_password").input(PASSWORD)
    at.text_input(key="first_again").input(PASSWORD)
    at.button(key="first_submit").click()
    run(at)
    assert UserStore().list() == [User("quantri", "admin")]
    assert at.session_state["auth_user"]["role"] == "admin"
    assert "Nhật ký" in at.sidebar.radio(key="page").options


def test_editor_upload_and_delete_are_in_the_audit_log(desk, seed_index):
    corpus, index = desk
    shutil.copytree(seed_index, index)
    at = new_app()
    login(at, "editor")
    at.session_state["page"] = "Cập nhật"
    run(at)
    data = NOTICE.encode("utf-8")
    at.file_uploader(key="uploads").set_value(("lich-sinh-hoat.txt", data, "text/plain"))
    run(at)
    at.button(key="do_upload").click()
    run(at)
    assert not at.error, [e.value for e in at.error]
    assert (corpus / "lich-sinh-hoat.txt").read_bytes() == data
    upload = AuditLog().read()[1]
    assert (upload["action"], upload["user"], upload["file"], upload["sha256"]) == (
        "upload", "thu-editor", "lich-sinh-hoat.txt", hashlib.sha256(data).hexdigest())
    assert AuditLog().read()[0]["action"] == "update"

    at.sidebar.radio(key="page").set_value("Hỏi đáp")
    run(at)
    at.text_input(key="q").input("sinh hoạt chuyên đề bảo vệ môi trường biển thu gom rác thải nhựa")
    run(at)
    captions = [html.unescape(c.value).replace("\u2060", "") for c in at.caption if c.value.startswith("Tệp:")]
    assert captions[0].startswith("Tệp: lich-sinh-hoat.txt · thêm bởi thu-editor lúc ")
    assert any(c.endswith("· có sẵn trong kho") for c in captions[1:])

    at.sidebar.radio(key="page").set_value("Cập nhật")
    run(at)
    at.selectbox(key="delete_source").set_value("lich-sinh-hoat.txt")
    run(at)
    at.checkbox(key="delete_sure").check()
    run(at)
    at.button(key="do_delete").click()
    run(at)
    assert not at.error, [e.value for e in at.error]
    assert not (corpus / "lich-sinh-hoat.txt").exists()
    assert any("Xóa: lich-sinh-hoat.txt" in html.unescape(m.value) for m in at.markdown)
    log = AuditLog().read()
    assert [(e["action"], e["user"], e["file"]) for e in log[:2]] == [
        ("update", "thu-editor", None), ("delete", "thu-editor", "lich-sinh-hoat.txt")]
    assert log[1]["sha256"] == hashlib.sha256(data).hexdigest()
    assert "lich-sinh-hoat.txt" not in AuditLog().uploads()

    admin = new_app()
    login(admin, "admin")
    admin.session_state["page"] = "Nhật ký"
    run(admin)
    rows = admin.dataframe[0].value.to_dict("records")
    assert [r["Hành động"] for r in rows[:4]] == ["cập nhật chỉ mục", "xóa văn bản", "cập nhật chỉ mục", "tải lên"]
    admin.multiselect(key="audit_actions").select("upload")
    run(admin)
    assert [(r["Người dùng"], r["Tệp"]) for r in admin.dataframe[0].value.to_dict("records")] == [
        ("thu-editor", "lich-sinh-hoat.txt")]


def test_login_helper_password(desk):
    """conftest.login creates a real user whose password works."""
    at = new_app()
    login(at, "reader")
    assert UserStore().authenticate("thu-reader", TEST_PASSWORD) == User("thu-reader", "reader")
