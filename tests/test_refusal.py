"""Refusal by what the question names (retrieval/refusal.py): pure agreement and fact checks as tables, then the
whole decision on the seed index."""

from types import SimpleNamespace

import pytest

from retrieval.entities import Entities
from retrieval.refusal import holds_fact, law_name_years, passage_agrees, relevant
from vntext.normalize import fold

NAMED = Entities(places=frozenset({"ha tinh"}), bodies=frozenset({"tinh_uy"}), years=frozenset({2022}),
                 terms=frozenset({(2025, 2030)}))


@pytest.mark.parametrize(
    "values, text, places, agrees",
    [
        ({"place": 1.0}, "", set(), True),  # the document's issuer is in Hà Tĩnh
        ({"place": -1.0}, "", set(), False),  # another province's document
        ({"place": 0.0}, "", set(), False),  # silent metadata (Wikipedia) and a passage that does not name it
        ({"place": 0.0}, "", {"ha tinh"}, True),  # silent metadata, the passage names Hà Tĩnh
        ({"place": -1.0}, "", {"ha tinh"}, True),  # another issuer's passage about Hà Tĩnh
        ({"place": 1.0, "year": -1.0}, "Kế hoạch năm 2025", set(), False),  # right place, wrong year
        ({"place": 1.0, "year": -1.0}, "đến hết ngày 31/12/2022", set(), True),  # the passage names the year
        ({"year": 0.5}, "", set(), True),  # the document's text names the year
        ({"term": 0.0}, "nhiệm kỳ 2025 - 2030", set(), True),
        ({"term": -1.0}, "nhiệm kỳ 2020-2025", set(), False),
        ({"body": -1.0, "type": -1.0}, "", set(), True),  # a body or a type never excludes a passage
        ({}, "", set(), True),  # the question names nothing
    ],
)
def test_passage_agrees(values, text, places, agrees):
    assert passage_agrees(NAMED, values, text, places) is agrees


def test_relevant_keeps_only_the_deciding_kinds():
    named = relevant(Entities(places=frozenset({"nghe an"}), bodies=frozenset({"tinh_uy"}), years=frozenset({2021}),
                              doc_types=frozenset({"Công văn"})), ("place", "year"))
    assert named.to_dict() == {"places": ["nghe an"], "bodies": [], "years": [2021], "terms": [], "doc_types": []}
    assert not relevant(Entities(bodies=frozenset({"tinh_uy"})), ("place", "year"))


@pytest.mark.parametrize("question, years", [
    ("Trong Bộ luật Hình sự năm 2017, thời hiệu truy cứu trách nhiệm hình sự là gì?", {2017}),
    ("Theo Bo luat Dan su 2015, nguoi thanh nien la ai?", {2015}),
    ("Luật Đất đai 2013 quy định thế nào", {2013}),
    ("Năm 2021, Tỉnh ủy Nghệ An yêu cầu tỷ lệ cán bộ nữ là bao nhiêu?", set()),  # a time, not a law's name
    ("Luật Cư trú quy định gì. Năm 2022 hết hiệu lực sổ hộ khẩu?", set()),  # another sentence
    ("ho tro can bo tre nam 2024 cua tinh uy", set()),
])
def test_a_year_that_names_a_law_is_no_time_to_agree_with(question, years):
    folded = fold(question).lower()
    assert law_name_years(folded) == years
    named = relevant(Entities(years=frozenset({2013, 2015, 2017, 2021, 2022, 2024})), ("place", "year"), folded)
    assert not named.years & years


def _hits(*texts):
    return [SimpleNamespace(chunk=SimpleNamespace(text=t)) for t in texts]


@pytest.mark.parametrize(
    "question, texts, fact_min, holds",
    [
        ("Tỉnh ủy hỗ trợ cán bộ trẻ bao nhiêu tiền mỗi tháng?", ["Tỷ lệ cán bộ nữ đạt từ 30% trở lên."], 0.5, False),
        ("Tỉnh ủy hỗ trợ cán bộ trẻ bao nhiêu tiền mỗi tháng?",
         ["Tỷ lệ nữ 30%.", "Mức hỗ trợ 2.000.000 đồng/người/tháng."], 0.5, True),
        ("Tỷ lệ cán bộ nữ tham gia cấp ủy là bao nhiêu?", ["Bảo đảm tỷ lệ cán bộ nữ tham gia cấp ủy."], 0.5, False),
        ("Tỷ lệ cán bộ nữ tham gia cấp ủy là bao nhiêu?", ["phấn đấu đạt 25% trở lên"], 0.5, True),
        ("Hạn báo cáo rà soát là ngày nào?", ["Báo cáo kết quả về Ban Tổ chức."], 0.5, False),
        ("Hạn báo cáo rà soát là ngày nào?", ["Báo cáo trước ngày 28/02/2025."], 0.5, True),
        # a question that asks no fact of these kinds is never refused by this check
        ("Nội dung chính của công văn về cán bộ nữ", ["Bảo đảm tỷ lệ cán bộ nữ."], 0.5, True),
    ],
)
def test_holds_fact(question, texts, fact_min, holds):
    assert holds_fact(question, _hits(*texts), fact_min) is holds


@pytest.mark.slow
@pytest.mark.parametrize(
    "question, refused, reason",
    [
        # the seeds hold Hải Phòng's letter on women cadres: it answers
        ("Thành ủy Hải Phòng yêu cầu cán bộ nữ tham gia ban thường vụ như thế nào?", False, ""),
        # no seed document is from Quảng Ngãi: the same topic does not make it an answer
        ("Tỉnh ủy Quảng Ngãi yêu cầu tỷ lệ cán bộ nữ tham gia cấp ủy là bao nhiêu?", True, "no_agreeing_document"),
        ("What salary increase did Lam Dong approve for teachers in 2025?", True, "no_agreeing_document"),
    ],
)
def test_ask_refuses_what_no_agreeing_document_answers(loaded_seed_index, question, refused, reason):
    from retrieval.ask import ask

    result = ask(loaded_seed_index, question, k=10)
    assert result.refusal == reason
    assert result.no_answer is refused
