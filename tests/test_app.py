"""The Streamlit desk driven through streamlit.testing.v1.AppTest on a real index of the seeds."""

import io
import re
import shutil

import pytest

from deskui.text import md

from .conftest import CORPUS, ROOT, login

pytestmark = pytest.mark.slow
EXAMPLE = "what is the required share of women in the standing committee"
ITEM4 = ("Công văn số 1539-CV/TU ngày 01/11/2024 của Ban Thường vụ Thành ủy Hải Phòng về việc quán triệt một số nội "
         "dung về công tác cán bộ nữ tại Đảng bộ thành phố, mục 4")  # the report form (Nghị định 30/2020/NĐ-CP)
REPLACED = ("Văn bản này đã được thay thế bởi Chỉ thị số 12-CT/TU ngày 05/06/2023 của Ban Thường vụ Tỉnh ủy Bình An "
            "về công tác cán bộ nữ giai đoạn 2023 - 2030.")


@pytest.fixture()
def desk(tmp_path, monkeypatch, seed_index):
    """A private corpus and index (copied from the session's seed index) for one test."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    index = tmp_path / "index"
    shutil.copytree(seed_index, index)
    monkeypatch.setenv("VNDS_CORPUS", str(corpus))
    monkeypatch.setenv("VNDS_INDEX", str(index))
    return corpus, index


@pytest.fixture()
def desk_docs(desk_docs_index, monkeypatch):
    corpus, index = desk_docs_index
    monkeypatch.setenv("VNDS_CORPUS", str(corpus))
    monkeypatch.setenv("VNDS_INDEX", str(index))
    return desk_docs_index


def app(role="admin"):
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    login(at, role)
    at.run()
    assert not at.exception, at.exception
    return at


def ask(at, question):
    at.text_input(key="q").input(question).run()
    assert not at.exception, at.exception
    return at


def go(at, page):
    at.sidebar.radio(key="page").set_value(page).run()
    assert not at.exception, at.exception
    return at


def texts(at):
    return [m.value for m in at.markdown]


def titles(at):
    """The short citation heading each result."""
    return [t for t in texts(at) if t.startswith("**") and t.endswith("**") and "Quan hệ" not in t]


def citations(at):
    """The citations shown in st.code, in page order (the quoted excerpts left out)."""
    return [c.value for c in at.code if not c.value.startswith("“")]


def test_ask_example_question_first_result_is_item_4(desk):
    at = ask(app(), EXAMPLE)
    codes = citations(at)
    assert codes[0] == ITEM4  # the extracted answer's citation
    assert codes[1] == ITEM4  # the first ranked passage
    answer = next(t for t in texts(at) if 'class="answer"' in t)
    assert "cán bộ nữ tham gia cấp ủy bảo đảm tỷ lệ" in answer


def test_empty_question_gets_a_prompt(desk):
    at = ask(app(), "   ")
    assert at.info and at.info[0].value.startswith("Hãy nhập câu hỏi")
    assert not at.error


def test_unaccented_and_vietnamese_questions(desk):
    at = app()
    for q in ("ty le can bo nu tham gia ban thuong vu", "tỷ lệ cán bộ nữ tham gia ban thường vụ"):
        ask(at, q)
        assert ITEM4 in citations(at)[:4]


def test_filter_narrows_results(desk):
    at = ask(app(), "cán bộ nữ")
    before = titles(at)
    assert any(v.startswith("**Công văn") for v in before)
    at.radio(key="f_kind").set_value("Tin bài").run()
    after = titles(at)
    assert after and all(v.startswith("**Tin bài") for v in after)


def test_open_document_shows_cited_documents(desk):
    at = ask(app(), EXAMPLE)
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("open-"))).click().run()
    assert not at.exception
    page = texts(at)
    assert "**Quan hệ với văn bản khác**" in page
    relations = "\n".join(t for t in page if t.startswith("**") and "**: " in t)  # "**Trích dẫn**: 11&#45;NQ..."
    for cite in ("11-NQ/TW", "21-CT/TW", "35-CT/TW", "221-KL/TU"):
        assert md(cite) in relations
    assert any("Nguyễn Văn Tùng" in t for t in page) or any("Nguyễn Văn Tùng" in str(t.value) for t in at.table)


def test_document_lookup_by_number_and_cited_by(desk):
    at = go(app(), "Văn bản")
    at.text_input(key="doc_filter").input("517-CV/TU").run()
    assert not at.exception
    assert at.subheader[0].value == md("Công văn 517-CV/TU")


def make_docx_bytes(lines):
    import docx

    d = docx.Document()
    for line in lines:
        d.add_paragraph(line)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_upload_docx_adds_and_makes_it_searchable(desk):
    corpus, _index = desk
    data = make_docx_bytes([
        "BAN THƯỜNG VỤ TỈNH ĐOÀN",
        "Số 77-KH/TĐTN",
        "Kế hoạch tổ chức hội thi tuyên truyền viên trẻ về chuyển đổi số năm 2025",
        "1. Mục đích: nâng cao kỹ năng tuyên truyền về chuyển đổi số cho đoàn viên thanh niên trên địa bàn tỉnh, "
        "phát hiện và bồi dưỡng các tuyên truyền viên trẻ có năng lực, tổ chức vòng chung kết tại nhà văn hóa thanh niên.",
        "2. Thời gian: vòng sơ khảo trong tháng 3 năm 2025; vòng chung kết vào ngày 26 tháng 3 năm 2025, "
        "nhân kỷ niệm ngày thành lập Đoàn Thanh niên Cộng sản Hồ Chí Minh, với sự tham gia của các cơ sở Đoàn.",
    ])
    at = go(app(), "Cập nhật")
    at.file_uploader(key="uploads").set_value(("hoi-thi.docx", data, "application/octet-stream")).run()
    at.button(key="do_upload").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert (corpus / "hoi-thi.docx").exists()
    assert any(f"Thêm: {md('hoi-thi.docx')}" in t for t in texts(at))
    assert str(at.metric[0].value) == "6"  # the counters are redrawn after the build (5 seeds + 1)
    go(at, "Hỏi đáp")
    ask(at, "hội thi tuyên truyền viên trẻ chuyển đổi số")
    assert citations(at)[1].startswith("Kế hoạch số 77-KH/TĐTN")


def test_upload_with_path_is_stored_inside_corpus(desk, tmp_path):
    corpus, _index = desk
    at = go(app(), "Cập nhật")
    at.file_uploader(key="uploads").set_value(("../../x.txt", "Thông báo về lịch họp chi bộ tháng 12. " .encode() * 20, "text/plain")).run()
    at.button(key="do_upload").click().run()
    assert not at.exception
    assert (corpus / "x.txt").exists()
    assert not (tmp_path / "x.txt").exists() and not (tmp_path.parent / "x.txt").exists()


def test_script_in_document_is_shown_as_text(desk):
    corpus, _index = desk
    (corpus / "loi.txt").write_text(
        "Thông báo kết quả kiểm tra hệ thống thư điện tử của cơ quan.\n\n"
        "Nội dung tệp mẫu có chứa đoạn mã <script>alert(1)</script> cần được hiển thị như chữ thường, "
        "không được chạy trên trang. Đề nghị các đơn vị rà soát lại hộp thư và báo cáo trước ngày 15.\n" * 2,
        encoding="utf-8",
    )
    at = go(app(), "Cập nhật")
    at.button(key="rebuild").click().run()
    go(at, "Hỏi đáp")
    ask(at, "kiểm tra hệ thống thư điện tử đoạn mã script alert")
    page = "\n".join(texts(at))
    assert "<script>" not in page
    unmarked = re.sub(r"</?mark>", "", page)  # query words inside the escaped text are highlighted
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in unmarked



def test_first_start_builds_the_index(tmp_path, monkeypatch, seed_corpus):
    index = tmp_path / "index"
    monkeypatch.setenv("VNDS_CORPUS", str(seed_corpus))
    monkeypatch.setenv("VNDS_INDEX", str(index))
    at = app()
    assert not [i for i in at.info if i.value.startswith("Chưa có chỉ mục")]  # the banner goes once the index is built
    assert at.success[0].value == "Đã xây dựng chỉ mục: 5 văn bản, 32 đoạn."
    assert (index / "CURRENT").exists()
    ask(at, EXAMPLE)
    assert citations(at)[0] == ITEM4


def test_question_survives_a_page_switch_and_comes_from_the_address(desk):
    at = ask(app(), EXAMPLE)
    go(at, "Văn bản")
    go(at, "Hỏi đáp")
    assert at.text_input(key="q").value == EXAMPLE
    assert citations(at)[0] == ITEM4  # the results are back too

    from streamlit.testing.v1 import AppTest

    shared = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    login(shared, "reader")
    shared.query_params["q"] = "ty le can bo nu tham gia ban thuong vu"  # a link: ...?q=ty+le+can+bo+...
    shared.run()
    assert not shared.exception
    assert shared.text_input(key="q").value == "ty le can bo nu tham gia ban thuong vu"
    assert ITEM4 in citations(shared)[:4]


def test_open_full_text_marks_the_passage_and_goes_back(desk):
    at = ask(app(), EXAMPLE)
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("open-"))).click().run()
    assert not at.exception
    full = next(t for t in texts(at) if 'id="trich-dan"' in t)  # the scroll target, around the cited passage
    assert re.search(r'<span class="answer cited" id="trich-dan">4\. Các quận, huyện ủy', full)
    at.button(key="back").click().run()
    assert at.sidebar.radio(key="page").value == "Hỏi đáp"
    assert at.text_input(key="q").value == EXAMPLE and citations(at)[0] == ITEM4


def test_filtering_the_table_to_nothing_says_so_and_closes_the_document(desk):
    at = go(app(), "Văn bản")
    at.text_input(key="doc_filter").input("517-CV/TU").run()
    assert at.subheader[0].value == md("Công văn 517-CV/TU")
    at.text_input(key="doc_filter").input("không có văn bản này xyz").run()
    assert [i.value for i in at.info] == ["Không có văn bản nào khớp bộ lọc."]
    assert not at.subheader and not at.dataframe


def iframe_texts(at) -> list[list[str]]:
    """The texts each row of copy buttons puts on the clipboard, read from the buttons' own HTML."""
    import json

    out = []
    for frame in at.get("iframe"):
        m = re.search(r"const texts = (.*);\n", frame.proto.srcdoc)
        if m:
            out.append(json.loads(m.group(1)))
    return out


def test_copy_buttons_copy_the_report_citation_and_the_quoted_passage(desk):
    at = ask(app(), EXAMPLE)
    answer = next(t for t in texts(at) if 'class="answer"' in t)
    quoted = re.sub(r"&#(\d+);", lambda m: chr(int(m.group(1))), re.search(r'class="answer">(.*?)</span>', answer).group(1))
    expected = [ITEM4, f"“{quoted}” ({ITEM4})"]
    assert [c.value for c in at.code][:2] == expected  # shown as text under the answer
    assert iframe_texts(at)[0] == expected  # and exactly what "Sao chép trích dẫn" / "... kèm trích dẫn" copy
    assert quoted.startswith("4. Các quận, huyện ủy") and quoted.endswith("(trong đó có cán bộ nữ tham gia ban thường vụ);")


def test_number_in_the_collection_shows_its_card_first(desk_docs):
    at = ask(app(), "Chỉ thị 05-CT/TU")
    heads = [h.value for h in at.subheader]
    assert heads[0] == md("Chỉ thị 05-CT/TU") and "Câu trả lời" not in heads  # the card is the answer to a look-up
    facts = {row["Trường"]: row["Giá trị"] for row in at.table[0].value.to_dict("records")}
    assert facts["Loại"] == "Chỉ thị" and facts["Số"] == md("05-CT/TU") and facts["Ngày"] == md("10/03/2015")
    assert facts["Cơ quan ban hành"] == "Ban Thường vụ Tỉnh ủy Bình An"
    assert facts["Người ký"].startswith("Trần Văn Bình")
    assert any(b.key.startswith("card-open-") and b.label == "Mở văn bản" for b in at.button if b.key)
    assert at.warning[0].value == md(REPLACED)
    assert "12-CT/TU" in at.get("graphviz_chart")[0].proto.spec  # the relations diagram
    at.button(key=next(b.key for b in at.button if b.key and b.key.startswith("card-open-"))).click().run()
    assert at.sidebar.radio(key="page").value == "Văn bản" and at.subheader[0].value == md("Chỉ thị 05-CT/TU")


def test_number_not_in_the_collection_says_so_and_lists_the_citing_documents(desk_docs):
    at = ask(app(), "Chỉ thị 35-CT/TW")
    assert at.info[0].value == md("Chỉ thị số 35-CT/TW không có trong kho văn bản.")
    page = texts(at)
    assert "**Các văn bản trong kho trích dẫn văn bản này**" in page
    i = page.index(f"- {md(ITEM4)}")  # the citing document in report form, then its passage that names 35-CT/TW
    assert "Chỉ thị số 35&#45;CT&#47;TW" in page[i + 1] and page[i + 1].startswith('<div class="passage quote">“4&#46;')
    assert "Câu trả lời" not in [h.value for h in at.subheader]


def test_a_replaced_documents_passage_carries_the_warning(desk_docs):
    at = ask(app(), "tỷ lệ cán bộ nữ trong cấp ủy không dưới 15%")
    assert citations(at)[0].startswith("Chỉ thị số 05-CT/TU ngày 10/03/2015")  # the 2015 directive answers
    assert at.warning and all(w.value == md(REPLACED) for w in at.warning)
    titles = [t for t in texts(at) if t.startswith("**Chỉ thị")]
    assert len(at.warning) == 1 + sum(t.startswith(f"**{md('Chỉ thị 05-CT/TU')}") for t in titles)  # answer + its results
