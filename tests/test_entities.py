"""What a question names (places, bodies, years, terms, document types), how documents agree with it, and the
number look-up at scale: pure functions and a small tantivy index, no model."""

from types import SimpleNamespace

import pytest

from indexer.document import DocMeta
from retrieval.entities import (
    DocProfile, Entities, Gazetteer, agreement, corpus_places, doc_profile, question_entities,
)


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer.default().with_corpus({"Kỳ Anh", "Thạch Hà"})


@pytest.mark.parametrize(
    "question, accented, places, bodies, years, terms",
    [
        ("Tỉnh ủy Hà Tĩnh yêu cầu tỷ lệ nữ bao nhiêu năm 2023?", True, {"ha tinh"}, {"tinh_uy"}, {2023}, set()),
        ("tinh uy ha tinh yeu cau gi cho nhiem ky 2025-2030", False, {"ha tinh"}, {"tinh_uy"}, set(), {(2025, 2030)}),
        ("What share did the Ha Tinh Provincial Party Committee require in 2024?", False, {"ha tinh"}, {"tinh_uy"},
         {2024}, set()),
        ("Huyện ủy Kỳ Anh giao Ban Tổ chức làm gì?", True, {"ky anh"}, {"huyen_uy", "ban_to_chuc"}, set(), set()),
        ("Hội LHPN tỉnh Bến Tre và Đoàn TNCS Hồ Chí Minh", True, {"ben tre"}, {"hoi_phu_nu", "doan_thanh_nien"},
         set(), set()),
        ("Thành ủy TP.HCM ban hành ngày 01/11/2024", True, {"ho chi minh"}, {"thanh_uy"}, {2024}, set()),
        ("the women's union of Hanoi", False, {"ha noi"}, {"hoi_phu_nu"}, set(), set()),
        # a common phrase that is also a province's name needs its capital letter
        ("giữ gìn hòa bình và phát triển", True, set(), set(), set(), set()),
        ("Tỉnh ủy Hòa Bình", True, {"hoa binh"}, {"tinh_uy"}, set(), set()),
        # provinces merged in 2025 (Vĩnh Long now holds Bến Tre) and the former ones are both places
        ("UBND tinh Vinh Long va tinh Ben Tre", False, {"vinh long", "ben tre"}, {"ubnd"}, set(), set()),
        # a question that names nothing of the kind
        ("Tỷ lệ cán bộ nữ tham gia cấp ủy là bao nhiêu?", True, set(), set(), set(), set()),
    ],
)
def test_question_entities(gazetteer, question, accented, places, bodies, years, terms):
    e = question_entities(question, accented, gazetteer)
    assert (set(e.places), set(e.bodies), set(e.years), set(e.terms)) == (places, bodies, years, terms)


def test_document_numbers_are_not_years(gazetteer):
    e = question_entities("Nghị quyết 23/2019/NQ-HĐND hỗ trợ gì", True, gazetteer, ["23/2019/NQ-HĐND"])
    assert not e.years and e.doc_types == {"Nghị quyết"} and e.bodies == set()


def test_corpus_places_from_issuers_and_place_lines():
    metas = [DocMeta(issuer="Đảng bộ tỉnh Hà Tĩnh Huyện ủy Kỳ Anh", place="Kỳ Anh"),
             DocMeta(issuer="Ủy ban nhân dân thành phố Bến Tre"), DocMeta(issuer="Tỉnh ủy Nghệ An Ban Tổ chức"),
             DocMeta(is_news=True, subject="Quận ủy Hải Châu tổ chức hội nghị")]
    assert corpus_places(metas) == {"Hà Tĩnh", "Kỳ Anh", "Bến Tre", "Nghệ An"}


def test_agreement(gazetteer):
    district = doc_profile(DocMeta(issuer="Đảng bộ tỉnh Hà Tĩnh Huyện ủy Kỳ Anh", place="Kỳ Anh", date="2025-01-17",
                                   doc_type="Công văn"), "nhiệm kỳ 2025-2030", gazetteer)
    province = doc_profile(DocMeta(issuer="Tỉnh ủy Hà Tĩnh", place="Hà Tĩnh", date="2023-03-14", doc_type="Công văn"),
                           "nhiệm kỳ 2020-2025, đến năm 2025", gazetteer)
    q = question_entities("Tỉnh ủy Hà Tĩnh năm 2025 yêu cầu gì cho nhiệm kỳ 2025-2030?", True, gazetteer)
    assert agreement(q, district) == {"place": 1.0, "body": -1.0, "year": 1.0, "term": 1.0}
    assert agreement(q, province) == {"place": 1.0, "body": 1.0, "year": 0.5, "term": -1.0}
    assert agreement(q, DocProfile()) == {"place": 0.0, "body": 0.0, "year": 0.0, "term": 0.0}
    assert agreement(Entities(), district) == {}


def test_number_lookup_finds_short_numbers_among_thousands(tmp_path):
    from indexer.layout import LexicalIndex, own_key
    from retrieval.search import _typed_number_keys

    lex = LexicalIndex.create(tmp_path / "lexical")
    keys = [f"{n}CVTU" for n in range(1, 3000)] + [f"{n}2024NQHDND" for n in range(1, 500)]
    keys += [own_key("1CTTW"), "1CTTW", "01CTTU", "1CTRTU", "12024CTTTG", "10CTTW", "21CTTW"]
    for i, key in enumerate(keys):
        lex.index(i, "", "", "", [key])
    lex.save()
    found = _typed_number_keys(SimpleNamespace(lexical=lex), [("CT", 1)])
    # Chỉ thị 1 = 1-CT/TW, 01-CT/TU, 1/2024/CT-TTg; not 1-CTr/TU (Chương trình), 10-CT/TW or 21-CT/TW
    assert sorted(found) == ["01CTTU", "12024CTTTG", "1CTTW"]
