"""vntext without the model: the word tokenizer, syllable shape and English share, document numbers and their
keys, organ-name case, diacritic restoration, and the shape of the word lists under vntext/data/.
(Normalisation and folding: test_normalize.py; legacy encodings: test_legacy_ocr.py.)"""

import json

import pytest

from vntext.datafiles import DATA, load
from vntext.language import ENGLISH_WORDS, FUNCTION_SYLLABLES, STOP_SYLLABLES, english_share, is_vietnamese_syllable
from vntext.names import ORGAN_PHRASES, vietnamese_case
from vntext.numbers import (
    ABBREVIATIONS, FOLDED_TYPES, TYPE_NAMES, TYPE_TO_ABBREVIATION, canonical_type, citation_key, cited_numbers, find_numbers,
    find_numbers_any_case, is_bare_reference, leading_int, number_key, number_type, textual_citations,
)
from vntext.restore import restore_diacritics
from vntext.words import letter_words, words


@pytest.mark.parametrize(
    "text, expected, letters",
    [
        ("Chỉ thị số 35-CT/TW", ["Chỉ", "thị", "số", "35", "CT", "TW"], ["Chỉ", "thị", "số", "CT", "TW"]),
        ("snake_case và ủy_ban", ["snake", "case", "và", "ủy", "ban"], ["snake", "case", "và", "ủy", "ban"]),
        ("17,07% ở xã", ["17", "07", "ở", "xã"], ["ở", "xã"]),
        ("K12a", ["K12a"], ["K", "a"]),
        ("  ...  ", [], []),
    ],
)
def test_words(text, expected, letters):
    assert words(text) == expected
    assert letter_words(text) == letters


@pytest.mark.parametrize(
    "word, shaped",
    [("nghieng", True), ("thuong", True), ("quy", True), ("a", True), ("2024", True), ("women", False),
     ("share", False), ("committee", False), ("str", False), ("bao", True), ("can", True)],
)
def test_is_vietnamese_syllable(word, shaped):
    assert is_vietnamese_syllable(word) is shaped


@pytest.mark.parametrize(
    "text, share",
    [
        ("", 0.0),
        ("ty le can bo nu", 0.1),  # "can" is also English: half a word
        ("who signed the directive", 0.875),  # "the" has a Vietnamese shape and is English: half
        ("women share", 1.0),
        ("ban thuong vu tinh uy", 0.0),
        ("tỷ lệ", 1.0),  # it reads folded words: accented letters are no Vietnamese shape
    ],
)
def test_english_share(text, share):
    assert english_share(text.split()) == pytest.approx(share)


@pytest.mark.parametrize(
    "a, b",
    [("11-NQ/TW", "11/NQ-TW"), ("1234/QĐ-TTg", "1234/qd-ttg"), ("35 - CT/TW", "35-CT/TW"), ("45/2019/QH14", "45-2019-QH14")],
)
def test_number_key_equal(a, b):
    assert number_key(a) == number_key(b)


@pytest.mark.parametrize(
    "cite, key",
    [
        ("Quyết định 217", "TQD217"),
        ("quyết định 217", "TQD217"),
        ("Chỉ thị 35", "TCT35"),
        ("Thông tư 05", "TTT5"),  # leading zero dropped
        ("Bộ luật 45", "TQH45"),
        ("Hiến pháp 2013", "THIENPHAP2013"),  # a type without an abbreviation keeps its name
        ("11-NQ/TW", "11NQTW"),
        (" Nghị quyết 02 ", "TNQ2"),
    ],
)
def test_citation_key(cite, key):
    assert citation_key(cite) == key


@pytest.mark.parametrize(
    "text, numbers",
    [
        ("Căn cứ Nghị quyết số 11-NQ/TW, Quyết định 1234/QĐ-TTg, 15 /2024/NQ-HĐND và Mẫu số 01/PLI",
         ["11-NQ/TW", "1234/QĐ-TTg", "15/2024/NQ-HĐND"]),
        ("Chỉ thị 35-CT/TW và lại 35-CT/TW, 35/CT-TW", ["35-CT/TW"]),  # repeats by key dropped
        ("ngày 27/4/2007, tỷ lệ 07/41", []),
    ],
)
def test_find_numbers(text, numbers):
    assert find_numbers(text) == numbers


@pytest.mark.parametrize(
    "query, numbers",
    [
        ("chi thi 35-ct/tw va 11 / nq-tw", ["35-CT/TW", "11/NQ-TW"]),
        ("1234/qđ-ttg, 45/2019/qh14", ["1234/QĐ-TTG", "45/2019/QH14"]),
        ("năm 2024 có bao nhiêu", []),
    ],
)
def test_find_numbers_any_case(query, numbers):
    assert find_numbers_any_case(query) == numbers


@pytest.mark.parametrize(
    "number, kind",
    [("05/2019/TT-BNV", "Thông tư"), ("10-TT/TW", "Thông tri"), ("1539-CV/TU", "Công văn"), ("45/2019/QH14", "Luật"),
     ("123", ""), ("7-XYZ/TW", "")],
)
def test_number_type(number, kind):
    assert number_type(number) == kind


def test_textual_citations():
    text = "Quyết định 217, 218 và Nghị quyết số 02; kế hoạch 2025; báo cáo 6 tháng; Chỉ thị 5; Chỉ thị số 5"
    assert textual_citations(text) == ["Quyết định 217", "Quyết định 218", "Nghị quyết 02", "Chỉ thị 5"]


@pytest.mark.parametrize(
    "number, after, has_so, bare",
    [("217", " về công tác", False, True), ("2025", " của tỉnh", False, False), ("2025", "", True, True),
     ("6", " tháng đầu năm", True, False), ("217", " người", False, False)],
)
def test_is_bare_reference(number, after, has_so, bare):
    assert is_bare_reference(number, after, has_so) is bare


def test_cited_numbers_skip_own_number_and_covered_textual_ones():
    text = "Thực hiện Chỉ thị số 35-CT/TW và Quyết định 217, Kế hoạch số 12-KH/TU. Chỉ thị 35 nêu rõ"
    assert cited_numbers(text, "12-KH/TU") == ["35-CT/TW", "Quyết định 217"]


@pytest.mark.parametrize(
    "word, canonical", [("QUYẾT ĐỊNH", "Quyết định"), ("thông tư", "Thông tư"), ("Điều lệ", "Điều lệ")]
)
def test_canonical_type(word, canonical):
    assert canonical_type(word) == canonical


@pytest.mark.parametrize("number, n", [("1539-CV/TU", 1539), ("Chỉ thị 35", 35), ("CV", -1)])
def test_leading_int(number, n):
    assert leading_int(number) == n


@pytest.mark.parametrize(
    "upper, usual",
    [("THÀNH ỦY HẢI PHÒNG", "Thành ủy Hải Phòng"), ("BAN CHẤP HÀNH TRUNG ƯƠNG", "Ban Chấp hành Trung ương"),
     ("TỈNH ỦY HÀ TĨNH", "Tỉnh ủy Hà Tĩnh")],
)
def test_vietnamese_case(upper, usual):
    assert vietnamese_case(upper) == usual


VOCAB = {
    "uni": {"ty": "tý", "le": "lệ", "can": "cán", "bo": "bộ", "nu": "nữ", "ban": "ban"},
    "bi": {"ty le": "tỷ lệ", "ban thuong": "ban thường"},
}


@pytest.mark.parametrize(
    "query, restored",
    [
        ("ty le can bo nu", "tỷ lệ cán bộ nữ"),  # the pair wins over the single word "tý"
        ("Ty le CAN BO nu", "Tỷ lệ CÁN BỘ nữ"),  # case kept, a capital word stays in capitals
        ("ty, le", "tý, lệ"),  # words split by punctuation are no pair
        ("Ban thuong vu 35", "Ban thường vu 35"),  # unknown words and numbers unchanged
        ("", ""),
    ],
)
def test_restore_diacritics(query, restored):
    assert restore_diacritics(query, VOCAB) == restored


def test_restore_without_vocabulary_changes_nothing():
    assert restore_diacritics("ty le can bo nu", {}) == "ty le can bo nu"


def test_data_files_shape():
    names = sorted(p.stem for p in DATA.glob("*.json"))
    assert names == ["common_words", "document_types", "english_words", "organ_phrases", "stop_syllables"]
    for name in names:
        data = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
        assert isinstance(data["_about"], str) and data["_about"]
    english = load("english_words")["words"]
    assert len(english) == len(set(english)) == len(ENGLISH_WORDS)
    assert all(w == w.lower() and w.isascii() and w.isalpha() for w in english)
    types = load("document_types")
    assert all(abbr.isupper() for abbr in types["abbreviations"])
    assert set(types["other_abbreviations"]) <= set(types["other_types"])
    assert TYPE_TO_ABBREVIATION["Chỉ thị"] == "CT" and TYPE_TO_ABBREVIATION["Thông tư"] == "TT"
    assert ABBREVIATIONS["QĐ"] == "Quyết định" and "Hiến pháp" in TYPE_NAMES
    assert FOLDED_TYPES["quyet dinh"] == "Quyết định" and len(FOLDED_TYPES) == len(TYPE_NAMES)
    assert [len(n) for n in TYPE_NAMES] == sorted((len(n) for n in TYPE_NAMES), reverse=True)
    assert len(ORGAN_PHRASES) == len(set(ORGAN_PHRASES)) and "Ban Chấp hành Trung ương" in ORGAN_PHRASES
    common = load("common_words")["words"]
    assert len(common) == len(set(common)) and all(w == w.lower() and w.isalpha() for w in common) and "của" in common
    stop = load("stop_syllables")
    for words_ in (stop["function"], stop["question"]):
        assert len(words_) == len(set(words_)) and all(w.isascii() and w.isalpha() and w == w.lower() for w in words_)
    assert STOP_SYLLABLES == FUNCTION_SYLLABLES | {"bao", "nhieu"} and {"va", "cua", "hoac"} <= FUNCTION_SYLLABLES


def test_count_stop_words_shape():
    from retrieval.facts import _COUNT_STOP, _COUNT_STOP_FILE

    data = json.loads(_COUNT_STOP_FILE.read_text(encoding="utf-8"))
    assert data["_about"] and len(data["words"]) == len(set(data["words"])) == len(_COUNT_STOP)
    assert all(w == w.lower() and w.isascii() for w in data["words"]) and {"the", "va", "nam", "2026"} <= _COUNT_STOP
