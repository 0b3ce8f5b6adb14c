"""Metadata extraction repairs found by review (issue 12, item 5): one table per repair, no model."""

import pytest

from indexer.metadata import extract_metadata
from vntext.names import vietnamese_case
from vntext.numbers import find_numbers, number_key, textual_citations
from vntext.normalize import normalize_document


def meta(text: str):
    return extract_metadata(normalize_document(text))


@pytest.mark.parametrize(
    "text, numbers",
    [
        ("Số: 1234/QĐ-TTg", ["1234/QĐ-TTg"]),
        ("theo Chỉ thị số 05/CT-TTg ngày 15/5/2016", ["05/CT-TTg"]),
        ("Nghị định 145/2020/NĐ-CP và 1234/QĐ-TTg.", ["145/2020/NĐ-CP", "1234/QĐ-TTg"]),
        ("Số: 15 /2024/NQ-HĐND", ["15/2024/NQ-HĐND"]),
        ("Số 312-CV/HU", ["312-CV/HU"]),
        ("12-Hà Nội, giai đoạn 2011-2015, 3 - Về", []),
    ],
)
def test_numbers_keep_lower_case_parts_and_tolerate_a_space(text, numbers):
    assert find_numbers(text) == numbers


def test_ttg_key_differs_from_a_number_without_it():
    assert number_key("05/CT-TTg") != number_key("05/CT-TT")
    assert number_key("1234/qđ-ttg") == number_key("1234/QĐ-TTg")


@pytest.mark.parametrize(
    "text, doc_type, number, subject",
    [
        # the number line with a space before the slash
        ("HỘI ĐỒNG NHÂN DÂN\nTỈNH HÀ TĨNH\nSố: 15 /2024/NQ-HĐND\n\nNGHỊ QUYẾT\nQuy định mức hỗ trợ đào tạo\n\nCăn cứ Luật",
         "Nghị quyết", "15/2024/NQ-HĐND", "Quy định mức hỗ trợ đào tạo"),
        # the Prime Minister's numbers keep -TTg
        ("THỦ TƯỚNG CHÍNH PHỦ\nSố: 1234/QĐ-TTg\n\nQUYẾT ĐỊNH\nPhê duyệt đề án\n\nCăn cứ Luật",
         "Quyết định", "1234/QĐ-TTg", "Phê duyệt đề án"),
        # a law's "Luật số:" line; its subject is its title
        ("QUỐC HỘI\nLuật số: 05/2022/QH15\nLUẬT ĐIỆN ẢNH\n\nĐiều 1. Phạm vi\nNội dung.\nĐiều 2. Đối tượng\nNội dung.",
         "Luật", "05/2022/QH15", "Luật điện ảnh"),
        # a title after line 6 (a long header)
        ("ĐẢNG BỘ TỈNH HÀ TĨNH\n\nHUYỆN ỦY CAN LỘC\n\n*\n\nĐẢNG CỘNG SẢN VIỆT NAM\n\nCan Lộc, ngày 12 tháng 02 năm 2025\n\n"
         "KẾ HOẠCH\n\nTriển khai công tác cán bộ nữ\n\n1. Mục đích",
         "Kế hoạch", "", "Triển khai công tác cán bộ nữ"),
    ],
)
def test_official_headers(text, doc_type, number, subject):
    m = meta(text)
    assert (m.doc_type, m.number, m.subject, m.is_news) == (doc_type, number, subject, False)


@pytest.mark.parametrize(
    "text",
    [
        # a notice without a number, its title after the Party motto
        "BAN CHẤP HÀNH ĐẢNG BỘ\nHUYỆN KỲ ANH\n\nĐẢNG CỘNG SẢN VIỆT NAM\n\nKỳ Anh, ngày 05 tháng 3 năm 2024\n\n"
        "THÔNG BÁO\nKết luận của Ban Thường vụ Huyện ủy về công tác cán bộ nữ\n\nNgày 01/3/2024, Ban Thường vụ họp.",
        # a plan whose header carries neither a number nor a type word the reader knows
        "ỦY BAN NHÂN DÂN\nXÃ THẠCH LẠC\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc\n\n"
        "Thạch Lạc, ngày 10 tháng 01 năm 2025\n\nPhương án tổ chức lớp bồi dưỡng cán bộ cơ sở năm 2025\n\n1. Mục đích",
        # a text made of articles
        "HIẾN PHÁP NƯỚC CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n\nĐiều 1.\nNội dung một.\n\nĐiều 2.\nNội dung hai.",
    ],
)
def test_notices_plans_and_legal_texts_are_not_news(text):
    m = meta(text)
    assert not m.is_news and m.doc_type != "Tin bài"


def test_a_news_article_is_still_news():
    m = meta("10/04/2024 - 06:31\n\nThành phố tổ chức hội nghị tổng kết công tác cán bộ nữ năm 2024\n\n(CT) - Chiều 9-4 ...")
    assert (m.is_news, m.doc_type) == (True, "Tin bài")


@pytest.mark.parametrize(
    "text, cites",
    [
        ("Xây dựng kế hoạch 2025 và báo cáo 6 tháng đầu năm.", []),
        ("Thực hiện Kế hoạch 2025 của Tỉnh ủy; Báo cáo 12 tháng; Chương trình 3 năm.", []),
        ("Theo Kế hoạch số 2025 của Ban Thường vụ.", ["Kế hoạch 2025"]),
        ("Thực hiện Quyết định 217, 218 và Kế hoạch 96.", ["Quyết định 217", "Quyết định 218", "Kế hoạch 96"]),
        ("Chỉ thị số 1 của Thủ tướng.", ["Chỉ thị 1"]),
    ],
)
def test_years_and_periods_are_not_document_references(text, cites):
    assert textual_citations(text) == cites


@pytest.mark.parametrize(
    "upper, expected",
    [("ĐẢNG BỘ TỈNH HÀ TĨNH HUYỆN ỦY CAN LỘC", "Đảng bộ tỉnh Hà Tĩnh Huyện ủy Can Lộc"),
     ("HỘI ĐỒNG NHÂN DÂN TỈNH HÀ TĨNH", "Hội đồng nhân dân tỉnh Hà Tĩnh")],
)
def test_place_names_that_fold_like_organ_words_keep_their_case(upper, expected):
    assert vietnamese_case(upper) == expected
