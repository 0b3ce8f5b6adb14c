"""Bàn tra cứu văn bản chỉ đạo: hỏi đáp, danh mục văn bản, cập nhật kho (Streamlit).

Run: streamlit run app.py   (VNDS_CORPUS / VNDS_INDEX choose other folders than corpus/ and index/)
"""

from __future__ import annotations

import html
import os
import time
from pathlib import Path

import streamlit as st

from indexer.cli_env import quiet_libraries

quiet_libraries()

from indexer.runtime import configure_for_queries  # noqa: E402

configure_for_queries()  # one thread per query: answers stay fast while a build or other work runs
from indexer.background import build_in_background  # noqa: E402
from indexer.build import index_model  # noqa: E402
from indexer.embed import Embedder  # noqa: E402
from indexer.errors import IndexerError, IndexMissing  # noqa: E402
from indexer.messages import error_text, skip_text  # noqa: E402
from indexer.metadata import number_key  # noqa: E402
from indexer.uploads import MAX_UPLOAD_BYTES, UploadRejected, save_upload  # noqa: E402
from retrieval.answer import question_terms
from retrieval.ask import ask  # noqa: E402
from retrieval.citation import display_date, format_citation  # noqa: E402
from retrieval.highlight import highlight_html  # noqa: E402
from retrieval.index import SearchIndex, load_index  # noqa: E402
from retrieval.search import Filters  # noqa: E402

CORPUS = Path(os.environ.get("VNDS_CORPUS", "corpus"))
INDEX = Path(os.environ.get("VNDS_INDEX", "index"))
PAGES = ["Hỏi đáp", "Văn bản", "Cập nhật"]
KINDS = {"Tất cả": "all", "Văn bản chỉ đạo": "document", "Tin bài": "news"}
UPLOAD_REASONS = {
    "unsupported": "định dạng không được hỗ trợ (chỉ nhận PDF, DOCX, TXT, MD, HTML)",
    "too_large": f"tệp quá lớn (tối đa {MAX_UPLOAD_BYTES // (1024 * 1024)} MB)",
    "empty": "tệp rỗng",
}
CSS = """
<style>
mark { background: #fff3a3; padding: 0 1px; }
span.answer { background: #c9f2d0; }
span.answer mark { background: #a8e6b4; }
.passage { line-height: 1.6; }
</style>
"""


@st.cache_resource(show_spinner="Đang nạp mô hình ngôn ngữ…")
def get_embedder(model_id: str) -> Embedder:
    """One embedding model per process."""
    e = Embedder(model_id)
    e.warm_up()  # load the query model now, not at the first question
    return e


@st.cache_resource(show_spinner="Đang nạp chỉ mục…", max_entries=2)
def _load(index_dir: str, generation: str, model_id: str) -> SearchIndex:
    return load_index(Path(index_dir), embedder=get_embedder(model_id))


def current_index() -> SearchIndex:
    """The index readers should use now: reloaded when a build has switched generations."""
    from indexer import store

    gen = store.current_generation(INDEX)
    model_id = store.read_manifest(gen).model_id
    return _load(str(INDEX), gen.name, model_id)


def run_build(rebuild: bool = False):
    """Build or update the index with a progress bar; returns the report."""
    bar = st.progress(0.0, text="Đang chuẩn bị…")
    labels = {"read": "Đọc văn bản", "embed": "Tạo vector cho đoạn văn"}

    def progress(stage: str, total: int):
        done = {"n": 0}

        def advance(n: int) -> None:
            done["n"] += n
            frac = min(1.0, done["n"] / total) if total else 1.0
            bar.progress(frac, text=f"{labels.get(stage, stage)}: {done['n']}/{total}")

        return advance

    # a child process at lower priority: searches in this process keep their CPU and their one thread
    report = build_in_background(CORPUS, INDEX, rebuild=rebuild, progress=progress, model=index_model(INDEX))
    bar.empty()
    return report


def ensure_index() -> SearchIndex | None:
    """The loaded index, building it from the corpus on first start."""
    try:
        return current_index()
    except IndexMissing:
        st.info("Chưa có chỉ mục. Đang xây dựng chỉ mục từ thư mục văn bản lần đầu…")
        try:
            run_build()
            return current_index()
        except IndexerError as exc:
            st.error(error_text(exc))
            return None
    except IndexerError as exc:
        st.error(error_text(exc))
        return None


def citation_block(chunk) -> None:
    """The citation line; st.code gives it a copy-to-clipboard button."""
    st.code(format_citation(chunk), language=None, wrap_lines=True)


def open_document(doc_id: str, anchor: int | None = None) -> None:
    st.session_state["page"] = "Văn bản"
    st.session_state["open_doc"] = doc_id
    st.session_state["anchor"] = anchor


def filters_ui(index: SearchIndex) -> Filters:
    docs = list(index.documents.values())
    issuers = sorted({d.meta.issuer for d in docs if d.meta.issuer})
    types = sorted({d.meta.doc_type for d in docs if d.meta.doc_type})
    years = sorted({int(d.meta.date[:4]) for d in docs if d.meta.date[:4].isdigit()})
    with st.expander("Bộ lọc", expanded=False):
        sel_issuers = st.multiselect("Cơ quan ban hành", issuers, key="f_issuer")
        sel_types = st.multiselect("Loại văn bản", types, key="f_type")
        kind = st.radio("Nguồn", list(KINDS), horizontal=True, key="f_kind")
        year_from = year_to = None
        if len(years) >= 2:
            lo, hi = st.slider("Năm", min_value=years[0], max_value=years[-1], value=(years[0], years[-1]), key="f_year")
            if (lo, hi) != (years[0], years[-1]):
                year_from, year_to = lo, hi
    return Filters(issuers=set(sel_issuers), doc_types=set(sel_types), year_from=year_from, year_to=year_to, kind=KINDS[kind])


def page_ask(index: SearchIndex) -> None:
    st.header("Hỏi đáp")
    if "q" in st.query_params and "question" not in st.session_state:
        st.session_state["question"] = st.query_params["q"]  # a shared link: ?q=...
    question = st.text_input("Câu hỏi", key="question", placeholder="Ví dụ: tỷ lệ cán bộ nữ tham gia ban thường vụ")
    filters = filters_ui(index)
    if not question or not question.strip():
        st.info("Hãy nhập câu hỏi bằng tiếng Việt (có hoặc không dấu) hoặc tiếng Anh, hoặc một số văn bản như 35-CT/TW.")
        return
    started = time.perf_counter()
    result = ask(index, question, k=10, filters=filters)
    hits, answer = result.hits, result.answer
    elapsed = time.perf_counter() - started
    if not hits:
        st.warning("Không tìm thấy đoạn văn bản nào phù hợp với câu hỏi và bộ lọc đã chọn.")
        return
    st.caption(f"{len(hits)} kết quả trong {elapsed * 1000:.0f} ms")
    if result.no_answer:
        st.warning("Kho văn bản không có câu trả lời cho câu hỏi này. Dưới đây là các đoạn gần nhất, chỉ để tham khảo.")
    elif answer is not None:
        st.subheader("Câu trả lời")
        st.markdown(f'<div class="passage"><span class="answer">{html.escape(answer.text)}</span></div>', unsafe_allow_html=True)
        citation_block(answer.chunk)
    st.subheader("Các đoạn gần nhất (tham khảo)" if result.no_answer else "Các đoạn liên quan")
    terms = question_terms(question)
    for hit in hits:
        chunk = hit.chunk
        span = (answer.start, answer.end) if answer is not None and answer.chunk.chunk_id == chunk.chunk_id else None
        with st.container(border=True):
            citation_block(chunk)
            st.markdown(f'<div class="passage">{highlight_html(chunk.text, terms, span)}</div>', unsafe_allow_html=True)
            st.caption(f"Tệp: {chunk.source}")
            st.button("Mở toàn văn", key=f"open-{chunk.chunk_id}", on_click=open_document, args=(chunk.doc_id, chunk.start))


def _documents_table(index: SearchIndex, needle: str) -> list[dict]:
    from indexer.normalize import fold

    rows = []
    key = fold(needle).lower().strip()
    for d in sorted(index.documents.values(), key=lambda d: (d.meta.date, d.source), reverse=True):
        row = {
            "Số": d.meta.number,
            "Loại": d.meta.doc_type,
            "Cơ quan ban hành": d.meta.issuer,
            "Ngày": display_date(d.meta.date),
            "Trích yếu": d.meta.subject,
            "Tệp": d.source,
        }
        if key and key not in fold(" ".join(row.values())).lower():
            continue
        rows.append(row)
    return rows


def _doc_label(index: SearchIndex, doc_id: str) -> str:
    d = index.documents[doc_id]
    head = f"{d.meta.doc_type} {d.meta.number}".strip() if d.meta.number else d.meta.subject[:70]
    return f"{head} — {d.source}"


def page_documents(index: SearchIndex) -> None:
    st.header("Văn bản")
    needle = st.text_input("Tìm văn bản theo số, loại, cơ quan hoặc trích yếu", key="doc_filter")
    rows = _documents_table(index, needle)
    st.dataframe(rows, hide_index=True)
    wanted = number_key(needle) if needle.strip() else ""
    by_number = {number_key(d.meta.number): d.doc_id for d in index.documents.values() if d.meta.number}
    if wanted and wanted in by_number:
        st.session_state["open_doc"] = by_number[wanted]
    ids = [d.doc_id for d in sorted(index.documents.values(), key=lambda d: d.source)]
    current = st.session_state.get("open_doc")
    choice = st.selectbox(
        "Mở văn bản",
        ids,
        index=ids.index(current) if current in ids else None,
        format_func=lambda i: _doc_label(index, i),
        placeholder="Chọn một văn bản…",
        key=f"doc_select-{current}",
    )
    if choice:
        st.session_state["open_doc"] = choice
        show_document(index, choice)


def show_document(index: SearchIndex, doc_id: str) -> None:
    doc = index.documents[doc_id]
    m = doc.meta
    st.subheader(f"{m.doc_type} {m.number}".strip() if m.number else (m.subject or doc.source))
    facts = {
        "Loại": m.doc_type, "Số": m.number, "Cơ quan ban hành": m.issuer, "Nơi ban hành": m.place,
        "Ngày": display_date(m.date), "Trích yếu": m.subject, "Người ký": m.signer, "Chức vụ": m.signer_title,
        "Tệp": doc.source,
    }
    st.table([{"Trường": k, "Giá trị": v} for k, v in facts.items() if v])
    by_number = {number_key(d.meta.number): d for d in index.documents.values() if d.meta.number}
    st.markdown("**Văn bản được trích dẫn**")
    if not m.cites:
        st.caption("Không có.")
    for cite in m.cites:
        target = by_number.get(number_key(cite))
        if target is not None:
            st.button(f"{cite} (có trong kho)", key=f"cite-{doc_id}-{cite}", on_click=open_document, args=(target.doc_id,))
        else:
            st.markdown(f"- {html.escape(cite)}")
    st.markdown("**Văn bản trích dẫn văn bản này**")
    citing = [d for d in index.documents.values() if m.number and number_key(m.number) in {number_key(c) for c in d.meta.cites}]
    if not citing:
        st.caption("Không có.")
    for d in citing:
        st.button(_doc_label(index, d.doc_id), key=f"citedby-{doc_id}-{d.doc_id}", on_click=open_document, args=(d.doc_id,))
    chunks = index.by_doc.get(doc_id, [])
    st.markdown("**Các phần**: " + html.escape(", ".join(c.section for c in chunks)))
    anchor = st.session_state.get("anchor")
    span = None
    for c in chunks:
        if anchor is not None and c.start <= anchor < c.end:
            span = (c.start, c.end)
    with st.container(border=True):
        st.markdown(f'<div class="passage">{highlight_html(doc.text, set(), span)}</div>', unsafe_allow_html=True)


def page_manage(index: SearchIndex | None) -> None:
    st.header("Cập nhật kho văn bản")
    if index is not None:
        man = index.manifest
        c1, c2, c3 = st.columns(3)
        c1.metric("Văn bản", man.counts.get("documents", 0))
        c2.metric("Đoạn", man.counts.get("chunks", 0))
        c3.metric("Thế hệ chỉ mục", index.generation)
        st.caption(f"Mô hình: {man.model_id} · Xây dựng lúc: {man.created_at}")
    files = st.file_uploader(
        "Tải lên văn bản (PDF, DOCX, TXT, MD, HTML)",
        type=["pdf", "docx", "txt", "md", "html", "htm"],
        accept_multiple_files=True,
        key="uploads",
    )
    if st.button("Thêm vào kho và cập nhật chỉ mục", key="do_upload", disabled=not files):
        saved = []
        for f in files or []:
            try:
                result = save_upload(CORPUS, f.name, f.getvalue())
            except UploadRejected as exc:
                st.error(f"{exc.name}: {UPLOAD_REASONS.get(exc.code, exc.code)}.")
                continue
            saved.append(result.source)
            if result.existed:
                st.info(f"{result.source}: đã có trong kho với cùng nội dung.")
            elif result.renamed:
                st.warning(f"Đã có một tệp khác tên {f.name}; tệp mới được lưu thành {result.source} (không ghi đè).")
            else:
                st.success(f"Đã lưu {result.source}.")
        if saved:
            _report(run_build)
    if st.button("Xây dựng lại toàn bộ chỉ mục", key="rebuild"):
        _report(lambda: run_build(rebuild=True))


def _report(build) -> None:
    try:
        report = build()
    except IndexerError as exc:
        st.error(error_text(exc))
        return
    st.success(
        f"Chỉ mục đã cập nhật ({report.generation}): {report.documents} văn bản, {report.chunks} đoạn; "
        f"mới {len(report.added)}, thay đổi {len(report.changed)}, xóa {len(report.removed)}, bỏ qua {len(report.skipped)}."
    )
    for name in report.added:
        st.markdown(f"- Thêm: {html.escape(name)}")
    for name in report.changed:
        st.markdown(f"- Thay đổi: {html.escape(name)}")
    for name in report.removed:
        st.markdown(f"- Xóa: {html.escape(name)}")
    for s in report.skipped:
        st.markdown(f"- Bỏ qua: {html.escape(skip_text(s))}")


def main() -> None:
    st.set_page_config(page_title="Tra cứu văn bản chỉ đạo", page_icon="📄", layout="wide")
    st.markdown(CSS, unsafe_allow_html=True)
    st.session_state.setdefault("page", PAGES[0])
    with st.sidebar:
        st.title("Tra cứu văn bản")
        st.radio("Trang", PAGES, key="page")
    try:
        index = ensure_index()
        page = st.session_state["page"]
        if page == "Cập nhật":
            page_manage(index)
        elif index is None:
            return
        elif page == "Văn bản":
            page_documents(index)
        else:
            page_ask(index)
    except IndexerError as exc:
        st.error(error_text(exc))
    except Exception as exc:  # the page must never show a traceback
        st.error(f"Đã xảy ra lỗi không mong muốn ({type(exc).__name__}). Hãy tải lại trang; nếu lỗi còn, hãy xây dựng lại chỉ mục.")


main()
