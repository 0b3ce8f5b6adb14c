import pytest

from vntext.normalize import fold, has_diacritics, normalize, normalize_document, strip_chrome

from .conftest import SEED_000, SEED_004, seed_text


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Thành uỷ", "Thành ủy"),
        ("Uỷ ban", "Ủy ban"),
        ("công nghiệp hoá, hiện đại hoá", "công nghiệp hóa, hiện đại hóa"),
        ("HOÁ", "HÓA"),
        ("sức khoẻ", "sức khỏe"),
        ("thuỷ lợi", "thủy lợi"),
        ("quý", "quý"),  # qu + y: the tone belongs on y
        ("hoàn thành", "hoàn thành"),  # oa followed by a consonant is untouched
        ("hoà", "hòa"),
        ("Thanh Hoá", "Thanh Hóa"),
        ("ca\u0300n bo\u0323\u0302", "càn bộ"),  # NFD -> NFC
        ("cán\u00a0bộ\u2003nữ", "cán bộ nữ"),  # non-breaking and em spaces
        ("cán  bộ", "cán bộ"),
        ("Chỉ thị số 21- CT/TW", "Chỉ thị số 21-CT/TW"),
        ("Nghị quyết 11-NQ/ TW", "Nghị quyết 11-NQ/TW"),
        ("zero\u200bwidth", "zerowidth"),
        ("a\r\nb", "a\nb"),
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("Đảng đoàn", "Dang doan"),
        ("đ Đ", "d D"),
        ("tỷ lệ cán bộ nữ", "ty le can bo nu"),
        ("Ủy ban Thường vụ", "Uy ban Thuong vu"),
        ("ơ ư ă â ê ô", "o u a a e o"),
        ("ỹ ỵ ỷ ỳ ý", "y y y y y"),
        ("plain ASCII 123", "plain ASCII 123"),
    ],
)
def test_fold(raw, expected):
    assert fold(raw) == expected


def test_has_diacritics():
    assert has_diacritics("cán bộ")
    assert has_diacritics("đ")
    assert not has_diacritics("can bo nu")


def test_same_function_for_query_and_document():
    doc = normalize_document("Thành uỷ Hải Phòng hoá")
    assert normalize("Thành uỷ Hải Phòng hoá") in doc


def test_seed_004_chrome_removed():
    text = normalize_document(seed_text(SEED_004))
    for chrome in ["Skip Ribbon Commands", "Manage Permissions", "Lượt người xem", "Version History", "Email",
                   "Approval Status", "Content Type", "Trụ sở", ".jpg", "Tin tức sự kiện"]:
        assert chrome not in text, chrome
    assert text.rstrip().endswith("hoàn thành nhiệm vụ được giao./.")
    assert "có 07/41 đồng chí đạt 17,07%" in text


def test_strip_chrome_keeps_article_lines():
    text = "Tiêu đề bài\nNội dung chính của bài viết rất dài.\nChia sẻ bài viết"
    assert strip_chrome(text) == "Tiêu đề bài\nNội dung chính của bài viết rất dài."


def test_broken_line_in_item_is_joined():
    text = normalize_document(seed_text(SEED_000))
    assert "Phân đấu cơ cấu cán bộ nữ tham gia cấp ủy" in text
    assert text.count("\u00a0") == 0
    assert "Số 1539-CV/TU" in text
