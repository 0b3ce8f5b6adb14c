import pytest

from indexer.document import DocMeta
from indexer.metadata import extract_metadata
from vntext.names import vietnamese_case
from vntext.numbers import find_numbers, find_numbers_any_case, number_key, number_type
from vntext.normalize import normalize_document

from .conftest import SEED_000, SEED_001, SEED_002, SEED_004, seed_text


def meta_of(name: str) -> DocMeta:
    return extract_metadata(normalize_document(seed_text(name)))


def test_seed_000_every_field():
    assert meta_of(SEED_000) == DocMeta(
        doc_type="Công văn",
        number="1539-CV/TU",
        issuer="Thành ủy Hải Phòng",
        place="Hải Phòng",
        date="2024-11-01",
        subject="quán triệt một số nội dung về công tác cán bộ nữ tại Đảng bộ thành phố",
        signer="Nguyễn Văn Tùng",
        signer_title="T/M BAN THƯỜNG VỤ, PHÓ BÍ THƯ",
        cites=["11-NQ/TW", "21-CT/TW", "23/2019/NQ-HĐND", "35-CT/TW", "10-TT/TU", "221-KL/TU", "22-TT/TU"],
        is_news=False,
    )


def test_seed_002_every_field():
    assert meta_of(SEED_002) == DocMeta(
        doc_type="Công văn",
        number="517-CV/TU",
        issuer="Thành ủy Cần Thơ",
        place="Cần Thơ",
        date="2022-06-20",
        subject=(
            "Lãnh đạo, chỉ đạo các cấp Hội Liên hiệp phụ nữ xây dựng Chương trình hành động thực hiện Nghị quyết "
            "Đại hội đại biểu Phụ nữ toàn quốc lần thứ XIII, nhiệm kỳ 2022 - 2027"
        ),
        signer="Phạm Văn Hiểu",
        signer_title="T/M BAN THƯỜNG VỤ, PHÓ BÍ THƯ",
        cites=["142/ĐCT-VP", "11-NQ/TW", "55-KL/TW", "21-CT/TW"],
        is_news=False,
    )


def test_news_articles():
    m1 = meta_of(SEED_001)
    assert (m1.doc_type, m1.is_news, m1.date, m1.number, m1.issuer) == ("Tin bài", True, "2020-09-28", "", "")
    assert m1.subject == "Quan tâm chăm lo bồi dưỡng cán bộ nữ, cán bộ trẻ"
    assert m1.cites == ["11/NQ-TW", "04/NQ-TW", "Quyết định 217", "Quyết định 218"]
    m4 = meta_of(SEED_004)
    assert m4.date == "2018-10-26"
    assert m4.subject.startswith("Thành phố Bến Tre: Sơ kết 06 năm thực hiện Đề án 01")
    assert m4.cites == ["01-ĐA/TU", "96-KH/TU", "Nghị quyết 02"]


def test_legal_text_header():
    text = normalize_document("NGHỊ ĐỊNH\nSố: 145/2020/NĐ-CP\n\nCHƯƠNG I: NHỮNG QUY ĐỊNH CHUNG\nĐiều 1. Phạm vi điều chỉnh\n")
    m = extract_metadata(text)
    assert (m.doc_type, m.number, m.issuer, m.date) == ("Nghị định", "145/2020/NĐ-CP", "", "")


@pytest.mark.parametrize(
    "a, b",
    [("11-NQ/TW", "11/NQ-TW"), ("23/2019/NQ-HĐND", "23/2019/NQ-HDND"), ("35-ct/tw", "35-CT/TW")],
)
def test_number_key_equal(a, b):
    assert number_key(a) == number_key(b)


def test_number_key_distinct():
    assert number_key("1-NQ/TW") != number_key("11-NQ/TW")


@pytest.mark.parametrize(
    "number, kind",
    [("1539-CV/TU", "Công văn"), ("35-CT/TW", "Chỉ thị"), ("10-TT/TU", "Thông tri"), ("221-KL/TU", "Kết luận"),
     ("145/2020/NĐ-CP", "Nghị định"), ("01-ĐA/TU", "Đề án"), ("96-KH/TU", "Kế hoạch"), ("12/2020/TT-BLĐTBXH", "Thông tư")],
)
def test_number_type(number, kind):
    assert number_type(number) == kind


def test_find_numbers_ignores_dates_and_ratios():
    assert find_numbers("ngày 27/4/2007, tỷ lệ 07/41, giai đoạn 2011-2015, số 35-CT/TW") == ["35-CT/TW"]


def test_find_numbers_in_queries():
    assert find_numbers_any_case("chi thi 35-ct/tw noi gi") == ["35-CT/TW"]


@pytest.mark.parametrize(
    "upper, expected",
    [("THÀNH ỦY HẢI PHÒNG", "Thành ủy Hải Phòng"), ("THÀNH ỦY CẦN THƠ", "Thành ủy Cần Thơ"),
     ("ỦY BAN NHÂN DÂN THÀNH PHỐ BẾN TRE", "Ủy ban nhân dân thành phố Bến Tre"),
     ("BAN CHẤP HÀNH TRUNG ƯƠNG", "Ban Chấp hành Trung ương"), ("TỈNH ỦY HÀ TĨNH", "Tỉnh ủy Hà Tĩnh"),
     ("BAN CHẤP HÀNH ĐOÀN TỈNH NGHỆ AN", "Ban Chấp hành Đoàn tỉnh Nghệ An")],
)
def test_vietnamese_case(upper, expected):
    assert vietnamese_case(upper) == expected
