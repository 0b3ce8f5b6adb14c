"""Bàn tra cứu văn bản chỉ đạo: hỏi đáp, danh mục văn bản, cập nhật kho (Streamlit).

Run: streamlit run app.py   (VNDS_CORPUS / VNDS_INDEX choose other folders than corpus/ and index/)
"""

from __future__ import annotations

import os
import time
from functools import partial
from pathlib import Path

import streamlit as st

from indexer.cli_env import quiet_libraries

quiet_libraries()

from indexer.runtime import BUILD_NICE, configure_for_queries  # noqa: E402

configure_for_queries()  # one thread per query: answers stay fast while a build or other work runs
from indexer.background import build_in_background  # noqa: E402
from indexer.build import index_model  # noqa: E402
from indexer.embed import Embedder  # noqa: E402
from indexer.errors import IndexerError, IndexMissing  # noqa: E402
from indexer.messages import SKIP_REASONS, error_text, pipeline_text, replaced_text, skip_text  # noqa: E402
from indexer.uploads import MAX_UPLOAD_BYTES, UploadRejected, save_upload  # noqa: E402
from access import ui as access_ui  # noqa: E402
from access.roles import can  # noqa: E402
from retrieval.answer import question_terms  # noqa: E402
from retrieval.ask import ask  # noqa: E402
from retrieval.cards import catalogue_of  # noqa: E402
from retrieval.citation import display_date, excerpt_with_citation, format_citation, report_citation  # noqa: E402
from retrieval.highlight import highlight_html  # noqa: E402
from retrieval.index import SearchIndex, load_index  # noqa: E402
from retrieval.search import Filters  # noqa: E402

from deskui.cards import show_card, show_missing, show_warnings  # noqa: E402
from deskui.copy import copy_buttons, scroll_to  # noqa: E402
from deskui.startup import ModelLoader  # noqa: E402
from deskui.text import md, no_autolink, upload_suffixes, upload_types_text, widget_css  # noqa: E402

CORPUS = Path(os.environ.get("VNDS_CORPUS", "corpus"))
INDEX = Path(os.environ.get("VNDS_INDEX", "index"))
PAGES = ["Hỏi đáp", "Văn bản", "Cập nhật"]
KINDS = {"Tất cả": "all", "Văn bản chỉ đạo": "document", "Tin bài": "news"}
UPLOAD_REASONS = {
    "unsupported": f"định dạng không được hỗ trợ (chỉ nhận {upload_types_text()})",
    "too_large": f"tệp quá lớn (tối đa {MAX_UPLOAD_BYTES // (1024 * 1024)} MB)",
    "empty": "tệp rỗng",
    "name_taken": "đã có quá nhiều tệp cùng tên",
    "unwritable": "không ghi được vào thư mục văn bản",
}
NOT_FOUND_IN_TABLE = "Không có văn bản nào khớp bộ lọc."


@st.cache_resource(show_spinner=False)
def model_loader(model_id: str) -> ModelLoader:
    """One embedding model per process, loading in the background from the first page view on."""
    return ModelLoader(model_id)


def get_embedder(model_id: str, converted_only: bool = False) -> Embedder | None:
    """The loaded model (or, with `converted_only`, once its files are converted); while waiting, a progress
    line that moves and says how long it usually takes."""
    loader = model_loader(model_id)
    event = loader.converted if converted_only else loader.done
    if not event.is_set():
        slot = st.empty()
        while not event.wait(0.5):
            slot.progress(min(0.95, loader.elapsed() / loader.expected()), text=loader.message())
        slot.empty()
    if loader.error is not None:
        model_loader.clear()  # the next page view tries again
        st.error(f"Không nạp được mô hình ngôn ngữ {loader.model_id} ({type(loader.error).__name__}). Hãy tải lại trang.")
        return None
    return loader.embedder


@st.cache_resource(show_spinner="Đang nạp chỉ mục…", max_entries=2)
def _load(index_dir: str, generation: str, model_id: str) -> SearchIndex:
    # the embedder object is shared with the loading thread: searches wait for get_embedder() first
    return load_index(Path(index_dir), embedder=model_loader(model_id).embedder)


def current_index() -> SearchIndex:
    """The index readers should use now: reloaded when a build has switched generations."""
    from indexer import store

    gen = store.current_generation(INDEX)
    model_id = store.read_manifest(gen).model_id
    return _load(str(INDEX), gen.name, model_id)


def run_build(rebuild: bool = False, nice: int = BUILD_NICE):
    """Build or update the index with a progress bar, in a child process `nice` steps below this one's
    priority; returns the report."""
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
    try:
        return build_in_background(CORPUS, INDEX, rebuild=rebuild, progress=progress, model=index_model(INDEX), nice=nice)
    finally:
        bar.empty()


def ensure_index() -> SearchIndex | None:
    """The loaded index, building it from the corpus on first start."""
    try:
        return current_index()
    except IndexMissing:
        banner = st.empty()
        banner.info("Chưa có chỉ mục. Đang xây dựng chỉ mục từ thư mục văn bản lần đầu…")
        # the model is converted once, by the loading thread: the build process starts after that rather than
        # converting it too at the same moment (two conversions replace each other's folder)
        if get_embedder(index_model(INDEX), converted_only=True) is None:
            banner.empty()
            return None
        try:
            report = run_build(nice=0)  # the first build: no search is waiting, nothing to yield to
        except IndexerError as exc:
            banner.error(md(error_text(exc)))
            return None
        if report is None:
            banner.empty()
            return None
        banner.success(f"Đã xây dựng chỉ mục: {report.documents} văn bản, {report.chunks} đoạn.")
        return current_index()
    except IndexerError as exc:
        st.error(md(error_text(exc)))
        return None


def citation_texts(chunk, passage: str) -> tuple[str, str]:
    """The citation to paste into a report, and the quoted passage followed by that citation."""
    return report_citation(chunk.meta, chunk.section), excerpt_with_citation(passage, chunk.meta, chunk.section)


def citation_block(chunk, passage: str) -> None:
    """The citation as text, with visible copy buttons for it and for the passage with its citation."""
    citation, excerpt = citation_texts(chunk, passage)
    st.code(citation, language=None, wrap_lines=True)
    copy_buttons([("Sao chép trích dẫn", citation), ("Sao chép đoạn trích kèm trích dẫn", excerpt)])
    with st.expander("Đoạn trích kèm trích dẫn"):
        st.code(excerpt, language=None, wrap_lines=True)


def open_document(doc_id: str, anchor: int | None = None) -> None:
    """Show a document on the Văn bản page, scrolled to `anchor` (a character offset) when given."""
    st.session_state["back_to_results"] = st.session_state.get("page") == "Hỏi đáp" or (
        st.session_state.get("back_to_results", False) and st.session_state.get("page") == "Văn bản")
    st.session_state["page"] = "Văn bản"
    st.session_state["open_doc"] = doc_id
    st.session_state["anchor"] = anchor
    st.session_state["scroll"] = anchor is not None
    st.session_state["doc_filter"] = ""  # the opened document must not be hidden by an old filter


def go_to(page: str) -> None:
    st.session_state["page"] = page


def filters_ui(index: SearchIndex) -> Filters:
    docs = list(index.documents.values())
    issuers = sorted({d.meta.issuer for d in docs if d.meta.issuer})
    types = sorted({d.meta.doc_type for d in docs if d.meta.doc_type})
    years = sorted({int(d.meta.date[:4]) for d in docs if d.meta.date[:4].isdigit()})
    with st.expander("Bộ lọc", expanded=False):
        sel_issuers = st.multiselect("Cơ quan ban hành", issuers, key="f_issuer", placeholder="Chọn…",
                                     persist_state="session")
        sel_types = st.multiselect("Loại văn bản", types, key="f_type", placeholder="Chọn…",
                                   persist_state="session")
        kind = st.radio("Nguồn", list(KINDS), horizontal=True, key="f_kind", persist_state="session")
        year_from = year_to = None
        if len(years) >= 2:
            lo, hi = st.slider("Năm", min_value=years[0], max_value=years[-1], value=(years[0], years[-1]), key="f_year",
                               persist_state="session")
            if (lo, hi) != (years[0], years[-1]):
                year_from, year_to = lo, hi
    return Filters(issuers=set(sel_issuers), doc_types=set(sel_types), year_from=year_from, year_to=year_to, kind=KINDS[kind])


def page_ask(index: SearchIndex) -> None:
    st.header("Hỏi đáp")
    # kept across page switches and in the address (?q=...), so a link or a reload shows the same question
    question = st.text_input("Câu hỏi", key="q", bind="query-params", persist_state="session",
                             placeholder="Ví dụ: tỷ lệ cán bộ nữ tham gia ban thường vụ")
    filters = filters_ui(index)
    if not question or not question.strip():
        st.info("Hãy nhập câu hỏi bằng tiếng Việt (có hoặc không dấu) hoặc tiếng Anh, hoặc một số văn bản như 35-CT/TW.")
        return
    catalogue = catalogue_of(index)
    lookup = catalogue.lookup(question)  # a named document number: its card first (no model needed)
    for i, card in enumerate(lookup.cards if lookup else []):
        show_card(card.to_dict(), f"ask-{i}", open_document)
    for i, missing in enumerate(lookup.missing if lookup else []):
        show_missing(missing, f"ask-{i}", open_document)
    if get_embedder(index.embedder.model_id) is None:
        return
    started = time.perf_counter()
    result = ask(index, question, k=10, filters=filters)
    hits, answer = result.hits, result.answer
    elapsed = time.perf_counter() - started
    if not hits:
        st.warning("Không tìm thấy đoạn văn bản nào phù hợp với câu hỏi và bộ lọc đã chọn.")
        return
    st.caption(f"{len(hits)} kết quả trong {elapsed * 1000:.0f} ms")
    if lookup and lookup.lookup_only:
        answer = None  # the card is the answer to a bare look-up; a passage that merely names the number is not
    elif result.no_answer:
        st.warning("Kho văn bản không có câu trả lời cho câu hỏi này. Dưới đây là các đoạn gần nhất, chỉ để tham khảo.")
    elif answer is not None:
        st.subheader("Câu trả lời")
        show_warnings(catalogue.warnings(answer.chunk.doc_id))
        st.markdown(f'<div class="passage"><span class="answer">{md(answer.text)}</span></div>', unsafe_allow_html=True)
        citation_block(answer.chunk, answer.text)
    st.subheader("Các đoạn gần nhất (tham khảo)" if result.no_answer and not lookup else "Các đoạn liên quan")
    terms = question_terms(question)
    for hit in hits:
        chunk = hit.chunk
        span = (answer.start, answer.end) if answer is not None and answer.chunk.chunk_id == chunk.chunk_id else None
        with st.container(border=True):
            st.markdown(f"**{md(format_citation(chunk))}**")
            show_warnings(catalogue.warnings(chunk.doc_id))
            citation_block(chunk, chunk.text)
            st.markdown(f'<div class="passage">{no_autolink(highlight_html(chunk.text, terms, span))}</div>', unsafe_allow_html=True)
            st.caption(f"Tệp: {md(chunk.source)} · {md(access_ui.provenance(chunk.source))}")
            st.button("Mở toàn văn", key=f"open-{chunk.chunk_id}", on_click=open_document, args=(chunk.doc_id, chunk.start))


def _documents_table(index: SearchIndex, needle: str) -> tuple[list[dict], list[str]]:
    """The rows of the Văn bản table matching `needle` (folded), newest first, and their document ids."""
    from vntext.normalize import fold

    rows, ids = [], []
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
        ids.append(d.doc_id)
    return rows, ids


def _row_clicked(table_key: str, ids: list[str]) -> None:
    rows = st.session_state[table_key]["selection"]["rows"]
    if rows and rows[0] < len(ids):
        open_document(ids[rows[0]])


def page_documents(index: SearchIndex) -> None:
    st.header("Văn bản")
    if st.session_state.get("back_to_results"):
        st.button("← Quay lại kết quả", key="back", on_click=go_to, args=("Hỏi đáp",))
    needle = st.text_input("Tìm văn bản theo số, loại, cơ quan hoặc trích yếu", key="doc_filter", persist_state="session")
    rows, ids = _documents_table(index, needle)
    if not rows:
        st.info(NOT_FOUND_IN_TABLE)
        return
    st.caption("Bấm vào một dòng để mở văn bản.")
    table_key = f"doc_table-{needle}"
    st.dataframe(rows, hide_index=True, key=table_key, on_select=partial(_row_clicked, table_key, ids),
                 selection_mode="single-row")
    if needle != st.session_state.get("doc_filter_seen"):  # a newly typed number opens that document's card
        st.session_state["doc_filter_seen"] = needle
        named = catalogue_of(index).by_number(needle) if needle.strip() else []
        if len(named) == 1:
            st.session_state["open_doc"] = named[0].doc_id
    current = st.session_state.get("open_doc")
    if current in ids:  # a document the filter hides stays closed
        show_document(index, current)


def show_document(index: SearchIndex, doc_id: str) -> None:
    """The document's card (facts, warnings, relations and their diagram), then its full text."""
    show_card(catalogue_of(index).card(doc_id).to_dict(), "doc", open_document, open_button=False)
    full_text(index, doc_id)


def full_text(index: SearchIndex, doc_id: str) -> None:
    """The whole document, the cited passage marked; scrolled to it once when opened from a result."""
    doc = index.documents[doc_id]
    anchor = st.session_state.get("anchor")
    span = next(((c.start, c.end) for c in index.by_doc.get(doc_id, []) if anchor is not None and c.start <= anchor < c.end), None)
    body = no_autolink(highlight_html(doc.text, set(), span))
    if span is not None:
        body = body.replace('<span class="answer">', '<span class="answer cited" id="trich-dan">', 1)
    st.markdown("**Toàn văn**" + (" (đoạn được trích được tô màu)" if span else ""))
    with st.container(border=True):
        st.markdown(f'<div class="passage">{body}</div>', unsafe_allow_html=True)
    if span is not None and st.session_state.pop("scroll", False):
        scroll_to("trich-dan", f"{doc_id}-{anchor}")


def show_counters(slot, index: SearchIndex | None) -> None:
    """The counts of the index in use, drawn into `slot` (drawn again after a build)."""
    with slot.container():
        if index is None:
            st.caption("Chưa có chỉ mục.")
            return
        man = index.manifest
        c1, c2, c3 = st.columns(3)
        c1.metric("Văn bản", man.counts.get("documents", 0))
        c2.metric("Đoạn", man.counts.get("chunks", 0))
        c3.metric("Thế hệ chỉ mục", index.generation)
        st.caption(f"Mô hình: {md(man.model_id)} · Xây dựng lúc: {md(man.created_at)}")


def page_manage(index: SearchIndex | None, user) -> None:
    st.header("Cập nhật kho văn bản")
    counters = st.empty()
    show_counters(counters, index)
    files = st.file_uploader(
        "Tải lên văn bản (PDF, DOCX, TXT, MD, HTML; ảnh quét PNG, JPG, TIFF được đọc bằng OCR)",
        type=upload_suffixes(),
        accept_multiple_files=True,
        key="uploads",
        help=f"Nhận các định dạng: {upload_types_text()}; tối đa {MAX_UPLOAD_BYTES // (1024 * 1024)} MB mỗi tệp.",
    )
    built = False
    if st.button("Thêm vào kho và cập nhật chỉ mục", key="do_upload", disabled=not files):
        saved = []
        for f in files or []:
            try:
                result = save_upload(CORPUS, f.name, f.getvalue())
            except UploadRejected as exc:
                reason = UPLOAD_REASONS.get(exc.code) or SKIP_REASONS.get(exc.code, exc.code)
                detail = f" ({exc.detail})" if exc.detail else ""
                st.error(f"{md(exc.name)}: {md(reason + detail)}. Tệp không được lưu.")
                continue
            saved.append(result.source)
            if not result.existed:
                access_ui.audit("upload", user.name, file=result.source, sha256=result.sha256)
            if result.existed:
                st.info(f"{md(result.source)}: đã có trong kho với cùng nội dung.")
            elif result.renamed:
                st.warning(f"Đã có một tệp khác tên {md(f.name)}; tệp mới được lưu thành {md(result.source)} (không ghi đè).")
            else:
                st.success(f"Đã lưu {md(result.source)}.")
        if saved:
            built = _report(run_build, user, "update")
    if index is not None and access_ui.delete_form(CORPUS, {d.source for d in index.documents.values()}, user):
        built = _report(run_build, user, "update")
    if can(user.role, "rebuild") and st.button("Xây dựng lại toàn bộ chỉ mục", key="rebuild"):
        built = _report(lambda: run_build(rebuild=True), user, "rebuild")
    if built:
        try:
            show_counters(counters, current_index())
        except IndexerError as exc:
            st.error(md(error_text(exc)))


def _report(build, user, action: str) -> bool:
    """Run `build` and say what it did (and log it as `action` of `user`); True when a new index is in place."""
    try:
        report = build()
    except IndexerError as exc:
        st.error(md(error_text(exc)))
        return False
    if report is None:
        return False
    access_ui.audit(action, user.name, detail=f"{report.generation}: {report.documents} văn bản, {report.chunks} đoạn")
    st.success(
        f"Chỉ mục đã cập nhật ({report.generation}): {report.documents} văn bản, {report.chunks} đoạn; "
        f"mới {len(report.added)}, thay đổi {len(report.changed)}, xóa {len(report.removed)}, bỏ qua {len(report.skipped)}."
    )
    if report.pipeline_changed:
        st.info(md(pipeline_text(report.pipeline_changed, len(report.reread))))
    for name in report.added:
        st.markdown(f"- Thêm: {md(name)}")
    for name in report.changed:
        st.markdown(f"- Thay đổi: {md(name)}")
    for name in report.removed:
        st.markdown(f"- Xóa: {md(name)}")
    for s in report.skipped:
        st.markdown(f"- Bỏ qua: {md(skip_text(s))}")
    for name in report.kept:
        st.markdown(f"- Giữ nguyên trong chỉ mục (thư mục không đọc được): {md(name)}")
    for name, count in report.replaced.items():
        st.warning(md(replaced_text(name, count)))
    return True


def main() -> None:
    st.set_page_config(page_title="Tra cứu văn bản chỉ đạo", page_icon="📄", layout="wide")
    st.markdown(widget_css(), unsafe_allow_html=True)
    try:
        model_loader(index_model(INDEX))  # starts loading the model in the background at once
    except IndexerError:
        pass  # an unreadable index is reported below
    user = access_ui.require_user()  # the login form and nothing else until someone logs in
    pages = access_ui.pages_for(user.role, PAGES)
    if st.session_state.get("page") not in pages:
        st.session_state["page"] = pages[0]
    with st.sidebar:
        st.title("Tra cứu văn bản")
        st.radio("Trang", pages, key="page")
        access_ui.account_box(user)
    try:
        page = st.session_state["page"]
        if page == access_ui.AUDIT_PAGE:
            return access_ui.page_audit()
        if page == access_ui.USERS_PAGE:
            return access_ui.page_users(user)
        index = ensure_index()
        if page == "Cập nhật":
            page_manage(index, user)
        elif index is None:
            return
        elif page == "Văn bản":
            page_documents(index)
        else:
            page_ask(index)
    except IndexerError as exc:
        st.error(md(error_text(exc)))
    except Exception as exc:  # the page must never show a traceback
        st.error(f"Đã xảy ra lỗi không mong muốn ({type(exc).__name__}). Hãy tải lại trang; nếu lỗi còn, hãy xây dựng lại chỉ mục.")


main()
