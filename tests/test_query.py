"""Query analysis (retrieval/query.py) and the fusion kind it decides, without the model."""

import pytest

from retrieval.query import analyze


@pytest.mark.parametrize(
    "query, text, folded, accented, english, numbers, typed, cite, signer",
    [
        ("Tỷ lệ cán bộ nữ theo Chỉ thị 35-CT/TW?", "Tỷ lệ cán bộ nữ theo Chỉ thị 35-CT/TW?",
         "ty le can bo nu theo chi thi 35-ct/tw?", True, False, ["35-CT/TW"], [("CT", 35)], False, False),
        ("ty le can bo nu tham gia cap uy", "ty le can bo nu tham gia cap uy", "ty le can bo nu tham gia cap uy",
         False, False, [], [], False, False),
        ("What share of women must the committee have?", "What share of women must the committee have?",
         "what share of women must the committee have?", False, True, [], [], False, False),
        ("Ai ký Quyết định số 217?", "Ai ký Quyết định số 217?", "ai ky quyet dinh so 217?", True, False, [],
         [("QĐ", 217)], False, True),
        ("van ban nao trich dan 11-nq/tw", "van ban nao trich dan 11-nq/tw", "van ban nao trich dan 11-nq/tw",
         False, False, ["11-NQ/TW"], [], True, False),
        ("Who signed directive 35?", "Who signed directive 35?", "who signed directive 35?", False, True, [], [],
         False, True),
        ("  Thành uỷ\u00a0Hải Phòng  ", "Thành ủy Hải Phòng", "thanh uy hai phong", True, False, [], [], False, False),
        ("chi thi so 35 va nghi quyet 11", "chi thi so 35 va nghi quyet 11", "chi thi so 35 va nghi quyet 11",
         False, False, [], [("CT", 35), ("NQ", 11)], False, False),
        ("", "", "", False, False, [], [], False, False),
    ],
)
def test_analyze(query, text, folded, accented, english, numbers, typed, cite, signer):
    q = analyze(query)
    assert (q.raw, q.text, q.folded) == (query, text, folded)
    assert (q.accented, q.english) == (accented, english)
    assert (q.numbers, q.typed_numbers) == (numbers, typed)
    assert (q.cite_intent, q.signer_intent) == (cite, signer)


def test_number_keys_compare_spellings():
    assert analyze("11/NQ-TW và 35-ct/tw").number_keys == ["11NQTW", "35CTTW"]


def test_numbers_do_not_make_a_query_english():
    """The letters of a document number are no English words: left out before the share is counted."""
    assert not analyze("chi thi 35-ct/tw").english
    assert analyze("directive 35-CT/TW").english


@pytest.mark.parametrize(
    "query, kind",
    [("cán bộ nữ", "accented"), ("can bo nu", "unaccented"), ("women cadres", "english"), ("35-CT/TW", "unaccented")],
)
def test_query_kind(query, kind):
    assert analyze(query).kind == kind
