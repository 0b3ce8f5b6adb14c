"""Report-form citations (after Nghị định 30/2020/NĐ-CP) of every seed, compared with exact strings."""

import pytest

from indexer.build import load_document
from indexer.document import DocMeta
from retrieval.citation import excerpt_with_citation, issuing_body, report_citation

from .conftest import CORPUS, SEED_000, SEED_001, SEED_002, SEED_003, SEED_004


def meta(name: str) -> DocMeta:
    return load_document(CORPUS / name, name).meta


SEED_CITATIONS = [
    (SEED_000, "mục 4",
     "Công văn số 1539-CV/TU ngày 01/11/2024 của Ban Thường vụ Thành ủy Hải Phòng về việc quán triệt một số nội "
     "dung về công tác cán bộ nữ tại Đảng bộ thành phố, mục 4"),
    (SEED_002, "mục 1",
     "Công văn số 517-CV/TU ngày 20/06/2022 của Ban Thường vụ Thành ủy Cần Thơ về việc lãnh đạo, chỉ đạo các cấp "
     "Hội Liên hiệp phụ nữ xây dựng Chương trình hành động thực hiện Nghị quyết Đại hội đại biểu Phụ nữ toàn quốc "
     "lần thứ XIII, nhiệm kỳ 2022 - 2027, mục 1"),
    (SEED_001, "đoạn 2",
     "Hội LHPN quận Hoàn Kiếm, “Quan tâm chăm lo bồi dưỡng cán bộ nữ, cán bộ trẻ”, ngày 28/09/2020, đoạn 2"),
    (SEED_003, "đoạn 1",
     "Báo Cần Thơ, “Đồng chí Nguyễn Văn Hiếu, Ủy viên dự khuyết Ban Chấp hành Trung ương Đảng, Bí thư Thành ủy: "
     "Thực hiện tốt công tác cán bộ, bởi đầu tư con người là đầu tư cho sự phát triển bền vững”, ngày 10/04/2024, "
     "đoạn 1"),
    (SEED_004, "đoạn 3",
     "Cổng thông tin điện tử Ủy ban nhân dân thành phố Bến Tre, “Thành phố Bến Tre: Sơ kết 06 năm thực hiện Đề án 01 "
     "về bố trí, sử dụng cán bộ trẻ, cán bộ nữ giữ chức danh lãnh đạo, quản lý trong hệ thống chính trị giai đoạn "
     "2011-2015 gắn Sơ kết 02 năm thực hiện Nghị quyết 02 của Tỉnh ủy”, ngày 26/10/2018, đoạn 3"),
]


@pytest.mark.parametrize("name,section,expected", SEED_CITATIONS, ids=[s[0][:3] for s in SEED_CITATIONS])
def test_seed_report_citations(name, section, expected):
    assert report_citation(meta(name), section) == expected
    assert "…" not in report_citation(meta(name), section)


def test_whole_document_citation_has_no_section():
    assert report_citation(meta(SEED_000)) == (
        "Công văn số 1539-CV/TU ngày 01/11/2024 của Ban Thường vụ Thành ủy Hải Phòng về việc quán triệt một số nội "
        "dung về công tác cán bộ nữ tại Đảng bộ thành phố")


def test_excerpt_with_citation_quotes_the_passage_then_cites_it():
    m = meta(SEED_000)
    text = "Phân đấu cơ cấu cán bộ nữ\ntham gia cấp ủy  bảo đảm tỷ lệ."
    assert excerpt_with_citation(text, m, "mục 4") == (
        "“Phân đấu cơ cấu cán bộ nữ tham gia cấp ủy bảo đảm tỷ lệ.” (Công văn số 1539-CV/TU ngày 01/11/2024 của "
        "Ban Thường vụ Thành ủy Hải Phòng về việc quán triệt một số nội dung về công tác cán bộ nữ tại Đảng bộ "
        "thành phố, mục 4)")


BODIES = [
    (DocMeta(issuer="Thành ủy Hải Phòng", signer_title="T/M BAN THƯỜNG VỤ, PHÓ BÍ THƯ"), "Ban Thường vụ Thành ủy Hải Phòng"),
    (DocMeta(issuer="Ban Chấp hành Trung ương", signer_title="T/M BỘ CHÍNH TRỊ, TỔNG BÍ THƯ"), "Bộ Chính trị"),
    (DocMeta(issuer="Ủy ban nhân dân tỉnh Bình An", signer_title="TM. ỦY BAN NHÂN DÂN, KT. CHỦ TỊCH, PHÓ CHỦ TỊCH"),
     "Ủy ban nhân dân tỉnh Bình An"),
    (DocMeta(issuer="Tỉnh ủy Bình An", signer_title="T/M THƯỜNG TRỰC, PHÓ BÍ THƯ"), "Thường trực Tỉnh ủy Bình An"),
    (DocMeta(issuer="Ban Tổ chức Tỉnh ủy", signer_title="K/T TRƯỞNG BAN, PHÓ TRƯỞNG BAN"), "Ban Tổ chức Tỉnh ủy"),
    (DocMeta(issuer="Tỉnh ủy Bình An", signer_title=""), "Tỉnh ủy Bình An"),
]


@pytest.mark.parametrize("m,expected", BODIES, ids=[b[1] for b in BODIES])
def test_issuing_body(m, expected):
    assert issuing_body(m) == expected


def test_parts_without_a_value_are_left_out():
    m = DocMeta(doc_type="Kế hoạch", number="12-KH/TU", subject="Triển khai thực hiện Chỉ thị số 35-CT/TW")
    assert report_citation(m, "mục 2") == "Kế hoạch số 12-KH/TU về triển khai thực hiện Chỉ thị số 35-CT/TW, mục 2"
    news = DocMeta(doc_type="Tin bài", is_news=True, subject="Hội nghị cán bộ nữ", date="2024-01-02")
    assert report_citation(news) == "“Hội nghị cán bộ nữ”, ngày 02/01/2024"
    quyet_dinh = DocMeta(doc_type="Quyết định", number="45/QĐ-UBND", subject="Về việc ban hành Quy chế làm việc",
                         date="2022-02-10", issuer="Ủy ban nhân dân tỉnh Bình An")
    assert report_citation(quyet_dinh) == ("Quyết định số 45/QĐ-UBND ngày 10/02/2022 của Ủy ban nhân dân tỉnh Bình An "
                                           "về việc ban hành Quy chế làm việc")


ORGANS = [
    ("ĐẢNG BỘ TỈNH BÌNH AN\n\nHUYỆN ỦY AN PHÚ\n\n*\n\nSố 12-KH/HU\n", "Huyện ủy An Phú"),
    ("TỈNH ỦY HÀ TĨNH\n\nBAN TUYÊN GIÁO\n\n*\n\nSố 7-HD/BTGTU\n", "Ban Tuyên giáo Tỉnh ủy Hà Tĩnh"),
    ("HỘI ĐỒNG NHÂN DÂN\nTỈNH BÌNH AN\n\nSố: 3/2024/NQ-HĐND\n", "Hội đồng nhân dân tỉnh Bình An"),
    ("HỘI LIÊN HIỆP PHỤ NỮ\n\nHUYỆN AN PHÚ\n\nSố 4/KH-HPN\n", "Hội Liên hiệp Phụ nữ huyện An Phú"),
    ("THÀNH ỦY HẢI PHÒNG\n\n*\n\nSố 1539-CV/TU\n", "Thành ủy Hải Phòng"),
    ("Quan tâm bồi dưỡng cán bộ nữ (04:09 28/09/2020)\n\nNgày 25/9/2020, ...\n", ""),
]


@pytest.mark.parametrize("text,expected", ORGANS, ids=[o[1] or "none" for o in ORGANS])
def test_issuing_organ(text, expected):
    from indexer.metadata import issuing_organ

    assert issuing_organ(text) == expected


def test_organ_under_a_parent_and_a_youth_union_executive():
    m = DocMeta(doc_type="Kế hoạch", number="12-KH/HU", issuer="Đảng bộ tỉnh Bình An Huyện ủy An Phú",
                organ="Huyện ủy An Phú", signer_title="T/M BAN THƯỜNG VỤ, BÍ THƯ", date="2025-02-03",
                subject="Triển khai thực hiện Công văn số 215-CV/TU")
    assert report_citation(m) == ("Kế hoạch số 12-KH/HU ngày 03/02/2025 của Ban Thường vụ Huyện ủy An Phú về triển "
                                  "khai thực hiện Công văn số 215-CV/TU")
    union = DocMeta(issuer="Ban Chấp hành Đoàn tỉnh Bình An", signer_title="TM. BAN THƯỜNG VỤ TỈNH ĐOÀN, BÍ THƯ")
    assert issuing_body(union) == "Ban Thường vụ Đoàn tỉnh Bình An"


OUTLETS = [
    ("Báo Bình An\n\nChính trị\n\n13/01/2025 07:40\n\nBình An tăng tỷ lệ cán bộ nữ\n", "Báo Bình An"),
    ("Tin tức\nTỉnh tổ chức hội nghị (10:00 05/11/2024)\n\n(CT) - Sáng 4-11, tỉnh tổ chức hội nghị.\n", "Báo Cần Thơ"),
    ("Hội nghị cán bộ nữ (10:00 05/11/2024)\n\nNgày 4-11, hội nghị đã diễn ra.\n\nHội LHPN – huyện An Phú\n",
     "Hội LHPN huyện An Phú"),
    ("Hội nghị cán bộ nữ (10:00 05/11/2024)\n\nNgày 4-11, hội nghị đã diễn ra.\n\nTin, ảnh: MINH AN\n", ""),
]


@pytest.mark.parametrize("text,expected", OUTLETS, ids=[o[1] or "none" for o in OUTLETS])
def test_news_outlet(text, expected):
    from vntext.normalize import normalize_document
    from indexer.outlet import news_outlet

    assert news_outlet(text, normalize_document(text)) == expected


def test_site_line_of_the_raw_page_names_the_outlet():
    from indexer.outlet import news_outlet

    raw = "Tin bài\nNội dung bài.\n\nCỔNG THÔNG TIN ĐIỆN TỬ ỦY BAN NHÂN DÂN TỈNH BÌNH AN\nĐiện thoại: 0123\n"
    assert news_outlet(raw, "Tin bài\nNội dung bài.\n") == "Cổng thông tin điện tử Ủy ban nhân dân tỉnh Bình An"


def test_format_data_shape():
    import json
    import re

    from indexer.outlet import _DATA
    from retrieval.citation import citation_format

    fmt = citation_format()
    fields = {"document": {"type", "number", "date", "body", "about", "subject"}, "news": {"outlet", "title", "date"}}
    for kind, names in fields.items():
        assert {n for part in fmt[kind]["parts"] for n in re.findall(r"\{(\w+)\}", part)} == names
    assert "*" in fmt["about"] and set(fmt["standalone"]) <= set(fmt["bodies"].values())
    assert all(k == k.upper() for k in fmt["bodies"])
    outlets = json.loads(_DATA.read_text(encoding="utf-8"))
    assert all(code == code.upper() and name for code, name in outlets["dateline_codes"].items())
    assert all(w[:1].isupper() for key in ("site_prefixes", "masthead_starts", "byline_starts") for w in outlets[key])
