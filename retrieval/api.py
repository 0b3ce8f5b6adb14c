"""The HTTP API (FastAPI): search, ask, the document catalogue and health, behind bearer tokens from the
user store; every request is written to the audit log. Run by `python -m retrieval serve`."""

from __future__ import annotations

import errno
import socket
import sys
import threading
from pathlib import Path

from fastapi import Depends, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException

from indexer.errors import BuildLocked, IndexerError
from indexer.messages import error_text, skip_text

from .api_models import (
    ByNumberOut, DocumentDetail, DocumentList, ErrorOut, HealthOut, NotInCollection, QuestionIn, SearchOut,
    UpdateOut, ValidationOut,
)
from .api_text import ACTION_NAMES, http_error_text, validation_errors
from .ask import ask
from .cards import Missing, catalogue_of
from .citation import result_to_json
from .search import Filters
from .service import IndexHolder

ANONYMOUS = "-"
BIND_ERRORS = {errno.EADDRINUSE: "cổng đang được dùng", errno.EACCES: "không có quyền dùng cổng này",
               errno.EADDRNOTAVAIL: "máy này không có địa chỉ đó"}
UNLOGGED = ("/health", "/docs", "/redoc", "/openapi.json", "/static-offline-docs")
DESCRIPTION = """Tra cứu và hỏi đáp trên kho văn bản chỉ đạo, dành cho phần mềm khác của cơ quan
(hệ thống quản lý văn bản, cổng thông tin nội bộ).

**Xác thực**: gửi mã truy cập trong tiêu đề `Authorization: Bearer <mã>`. Mã do quản trị viên cấp bằng
lệnh `python -m indexer users token TÊN`. Người đọc (reader) được tìm kiếm, hỏi đáp và xem văn bản;
biên tập viên (editor) và quản trị viên (admin) được cập nhật chỉ mục. Khi chưa có người dùng nào, dịch vụ
chỉ nghe trên máy này. Mọi yêu cầu được ghi vào nhật ký truy cập."""
TAGS = [
    {"name": "Tra cứu", "description": "Tìm đoạn văn bản và trả lời câu hỏi, kèm trích dẫn"},
    {"name": "Văn bản", "description": "Danh mục văn bản, thông tin và quan hệ của từng văn bản"},
    {"name": "Quản trị", "description": "Tình trạng dịch vụ và cập nhật chỉ mục"},
]
ERRORS = {
    401: {"model": ErrorOut, "description": "Thiếu mã truy cập hoặc mã không hợp lệ"},
    403: {"model": ErrorOut, "description": "Vai trò không có quyền này"},
    422: {"model": ValidationOut, "description": "Dữ liệu gửi lên không hợp lệ (nêu tên trường)"},
}


def create_app(holder: IndexHolder, users, audit, corpus: Path | None = None, build_nice: int | None = None) -> FastAPIOffline:
    """The application over a loaded index, a user store (`access.store.UserStore`) and an audit log;
    `POST /index/update` builds from `corpus` in a child process `build_nice` steps below this one."""
    from indexer.runtime import BUILD_NICE

    from access.messages import first_admin_command
    from access.roles import can

    state = users.path.parent
    app = FastAPIOffline(title="API tra cứu văn bản chỉ đạo", description=DESCRIPTION, version="1.0",
                         openapi_tags=TAGS, swagger_ui_parameters={"defaultModelsExpandDepth": 0})
    bearer = HTTPBearer(auto_error=False, description="Mã truy cập của người dùng (python -m indexer users token TÊN)")
    build_lock = threading.Lock()

    def require(action: str):
        def check(request: Request, cred: HTTPAuthorizationCredentials | None = Depends(bearer)):
            if cred is None and not users.has_users():
                raise HTTPException(401, "Chưa có người dùng nào. Hãy tạo quản trị viên đầu tiên: "
                                         f"{first_admin_command(state)}, rồi cấp mã truy cập bằng lệnh users token TÊN.", headers={"WWW-Authenticate": "Bearer"})
            if cred is None:
                raise HTTPException(401, "Thiếu mã truy cập: hãy gửi tiêu đề Authorization: Bearer <mã>.",
                                    headers={"WWW-Authenticate": "Bearer"})
            user = users.verify_token(cred.credentials)
            if user is None:
                raise HTTPException(401, "Mã truy cập không hợp lệ hoặc đã bị thu hồi.", headers={"WWW-Authenticate": "Bearer"})
            request.state.user = user.name
            if not can(user.role, action):
                raise HTTPException(403, f"Người dùng {user.name} (vai trò {user.role}) không có quyền {ACTION_NAMES[action]}.")
            return user

        return Depends(check)

    @app.middleware("http")
    async def audit_requests(request: Request, call_next):
        status = 500
        try:
            response = await call_next(request)
            status = response.status_code
            return response
        finally:
            path = request.url.path
            if not path.startswith(UNLOGGED):
                user = getattr(request.state, "user", None) or ANONYMOUS
                await run_in_threadpool(audit.record, "api", user, detail=f"{request.method} {path} {status}")

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        errors = validation_errors(exc.errors())
        first = errors[0]
        return JSONResponse({"detail": f"Dữ liệu không hợp lệ ở trường {first['field']}: {first['message']}.",
                             "errors": errors}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        body = exc.detail if isinstance(exc.detail, dict) else {"detail": http_error_text(exc.status_code, exc.detail)}
        return JSONResponse(body, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    @app.exception_handler(IndexerError)
    async def index_error(request: Request, exc: IndexerError):
        return JSONResponse({"detail": error_text(exc)}, status_code=503)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        return JSONResponse({"detail": f"Lỗi máy chủ không mong muốn ({type(exc).__name__}). Hãy thử lại; "
                                       "nếu lỗi còn, hãy báo quản trị viên."}, status_code=500)

    def answer(body: QuestionIn, k_default: int) -> dict:
        f = body.filters
        filters = Filters(set(f.issuers), set(f.doc_types), f.year_from, f.year_to, f.kind) if f else None
        k = k_default if body.k is None else body.k
        return result_to_json(ask(holder.current(), body.question, k=k, filters=filters))

    @app.post("/search", response_model=SearchOut, response_model_exclude_unset=True, tags=["Tra cứu"],
              responses=ERRORS, dependencies=[require("ask")],
              summary="Tìm các đoạn văn bản phù hợp",
              description="Các đoạn phù hợp nhất kèm trích dẫn, câu trả lời (nếu có) và cờ no_answer; "
                          "giống JSON của `python -m retrieval search --json`.")
    def search_route(body: QuestionIn) -> dict:
        return answer(body, 10)

    @app.post("/ask", response_model=SearchOut, response_model_exclude_unset=True, tags=["Tra cứu"],
              responses=ERRORS, dependencies=[require("ask")],
              summary="Hỏi và nhận câu trả lời kèm trích dẫn",
              description="Câu trả lời trích từ văn bản và nguồn của nó; khi kho không có câu trả lời, "
                          "`no_answer` là true và `answer` là null. Mặc định 5 đoạn liên quan.")
    def ask_route(body: QuestionIn) -> dict:
        return answer(body, 5)

    @app.get("/documents", response_model=DocumentList, tags=["Văn bản"], responses=ERRORS,
             dependencies=[require("browse")], summary="Danh mục văn bản",
             description="Lọc theo loại, cơ quan ban hành, năm và chữ trong số/trích yếu; phân trang bằng offset/limit. "
                         "Mỗi văn bản là một thẻ: thông tin, các phần, quan hệ, cảnh báo, trích dẫn hai dạng.")
    def list_documents(
        type: str | None = Query(None, description="Loại văn bản, ví dụ Công văn"),
        issuer: str | None = Query(None, description="Cơ quan ban hành (đúng tên)"),
        year: int | None = Query(None, ge=1900, le=2100, description="Năm ban hành"),
        text: str | None = Query(None, max_length=200, description="Chữ có trong số, loại, cơ quan hoặc trích yếu (có dấu hoặc không)"),
        offset: int = Query(0, ge=0, description="Bỏ qua bao nhiêu văn bản đầu"),
        limit: int = Query(20, ge=1, le=200, description="Số văn bản mỗi trang"),
    ) -> dict:
        from vntext.normalize import fold

        needle = fold(text).lower().strip() if text else ""
        cards = []
        for card in sorted(catalogue_of(holder.current()).cards(), key=lambda c: (c.meta.date, c.source), reverse=True):
            m = card.meta
            if (type and m.doc_type != type) or (issuer and m.issuer != issuer) or (year and m.date[:4] != str(year)):
                continue
            if needle and needle not in fold(" ".join((m.number, m.doc_type, m.issuer, m.subject, card.source))).lower():
                continue
            cards.append(card)
        return {"total": len(cards), "offset": offset, "limit": limit,
                "documents": [c.to_dict() for c in cards[offset:offset + limit]]}

    @app.get("/documents/by-number/{number:path}", response_model=ByNumberOut, tags=["Văn bản"],
             responses={**ERRORS, 404: {"model": NotInCollection, "description": "Văn bản không có trong kho"}},
             dependencies=[require("browse")], summary="Tìm văn bản theo số, ký hiệu",
             description="Ví dụ `/documents/by-number/35-CT/TW` (dấu / viết thẳng hoặc %2F; 35/CT-TW cũng được). "
                         "Khi kho không có văn bản đó: 404, kèm các văn bản trong kho trích dẫn nó và đoạn trích dẫn.")
    def by_number(number: str) -> dict:
        catalogue = catalogue_of(holder.current())
        cards = catalogue.by_number(number)
        if cards:
            return {"number": number, "documents": [c.to_dict() for c in cards]}
        found = catalogue.lookup(number).missing
        missing = found[0] if found else Missing(number, [])
        raise HTTPException(404, {"detail": missing.text, **missing.to_dict()})

    @app.get("/documents/{doc_id}", response_model=DocumentDetail, tags=["Văn bản"],
             responses={**ERRORS, 404: {"model": ErrorOut, "description": "Không có văn bản mang mã này"}},
             dependencies=[require("browse")], summary="Một văn bản: thẻ (thông tin, các phần, quan hệ, cảnh báo) và toàn văn")
    def get_document(doc_id: str) -> dict:
        index = holder.current()
        doc = index.documents.get(doc_id)
        if doc is None:
            raise HTTPException(404, f"Không có văn bản mang mã {doc_id}.")
        return {**catalogue_of(index).card(doc_id).to_dict(), "text": doc.text}

    @app.get("/health", response_model=HealthOut, tags=["Quản trị"], summary="Tình trạng dịch vụ",
             description="Thế hệ chỉ mục đang dùng, số văn bản và số đoạn, mô hình. Không cần mã truy cập.")
    def health() -> dict:
        index = holder.current()
        return {"status": "ok", "generation": index.generation, "documents": len(index.documents),
                "chunks": len(index.chunks), "model": index.manifest.model_id, "reloading": holder.loading,
                "reload_error": _reload_error(holder.reload_error)}

    @app.post("/index/update", response_model=UpdateOut, tags=["Quản trị"],
              responses={**ERRORS, 409: {"model": ErrorOut, "description": "Đang có một lần xây dựng khác"}},
              dependencies=[require("update")], summary="Cập nhật chỉ mục từ thư mục văn bản",
              description="Đọc các tệp mới và đã thay đổi trong thư mục văn bản rồi chuyển sang thế hệ chỉ mục mới; "
                          "trong lúc đó dịch vụ vẫn trả lời. Chỉ dành cho biên tập viên và quản trị viên.")
    def update_index(request: Request) -> dict:
        from indexer.background import build_in_background

        if corpus is None:
            raise HTTPException(409, "Dịch vụ chạy không có thư mục văn bản (--corpus), không cập nhật được.")
        if not build_lock.acquire(blocking=False):
            raise HTTPException(409, "Đang có một lần cập nhật khác chạy. Hãy đợi nó xong rồi thử lại.")
        try:
            # a child process at lower priority: this process keeps answering with its CPU and its one thread
            report = build_in_background(corpus, holder.index_dir, model=holder.embedder.model_id,
                                         nice=BUILD_NICE if build_nice is None else build_nice)
        except BuildLocked as exc:
            raise HTTPException(409, error_text(exc)) from exc
        finally:
            build_lock.release()
        audit.record("update", request.state.user, detail=f"{report.generation}: +{len(report.added)} "
                                                          f"~{len(report.changed)} -{len(report.removed)}")
        holder.current()
        return {"generation": report.generation, "documents": report.documents, "chunks": report.chunks,
                "added": report.added, "changed": report.changed, "removed": report.removed,
                "skipped": [skip_text(s) for s in report.skipped]}

    return app



def _reload_error(exc: Exception | None) -> str | None:
    if exc is None:
        return None
    return error_text(exc) if isinstance(exc, IndexerError) else f"Lỗi: {type(exc).__name__}: {exc}"


def serve(index_dir: Path, corpus: Path, host: str, port: int, model: str | None = None,
          state: Path | None = None) -> int:
    """`python -m retrieval serve`: load the index and the model once, then answer HTTP requests."""
    from indexer.cli_env import quiet_libraries

    quiet_libraries()
    from access.audit import AuditLog
    from access.paths import state_dir
    from access.session import may_serve
    from access.store import UserStore

    state = state_dir() if state is None else state
    users, audit = UserStore(state / "users.sqlite3"), AuditLog(state / "audit.jsonl")
    if not may_serve(host, users.has_users()):
        print(f"Chưa có người dùng nào nên dịch vụ chỉ được nghe trên máy này (127.0.0.1), không phải {host}. "
              "Hãy tạo người dùng trước: python -m indexer users add TÊN --role reader", file=sys.stderr)
        return 1
    try:
        socket.getaddrinfo(host, port)
        with socket.create_server((host, port), family=socket.AF_INET6 if ":" in host else socket.AF_INET):
            pass
    except socket.gaierror:
        print(f"Không tìm thấy địa chỉ {host}. Hãy kiểm tra --host.", file=sys.stderr)
        return 1
    except OSError as exc:
        reason = BIND_ERRORS.get(exc.errno, exc.strerror or str(exc))
        print(f"Không mở được cổng {port} trên {host}: {reason}. Hãy chọn cổng khác bằng --port.", file=sys.stderr)
        return 1
    from indexer.runtime import configure_for_queries

    configure_for_queries()  # one thread per query: answers stay fast while a build or other work runs
    try:
        holder = IndexHolder(index_dir, model=model)
    except IndexerError as exc:
        print(error_text(exc), file=sys.stderr)
        return 1
    import uvicorn

    app = create_app(holder, users, audit, corpus=corpus)
    index = holder.current()
    where = f"http://{host if ':' not in host else f'[{host}]'}:{port}"
    print(f"Dịch vụ đang chạy tại {where} (chỉ mục {index.generation}: {len(index.documents)} văn bản, "
          f"{len(index.chunks)} đoạn). Tài liệu API: {where}/docs. Dừng: Ctrl+C.", flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    return 0
