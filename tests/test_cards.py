"""Document cards, number look-up and supersession warnings, on the seeds and the fictional documents of
tests/desk_docs.py (read and chunked for real; no model needed)."""

import pytest

from indexer.build import load_document
from indexer.chunker import chunk_document
from retrieval.cards import Catalogue, Ref, query_references

from .conftest import CORPUS
from .desk_docs import NEW_DIRECTIVE, OLD_DIRECTIVE, OTHER_517, write_desk_corpus


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory) -> Catalogue:
    folder = write_desk_corpus(tmp_path_factory.mktemp("desk"), seeds=CORPUS)
    docs = [load_document(f, f.name) for f in sorted(folder.iterdir())]
    return Catalogue({d.doc_id: d for d in docs}, {d.doc_id: chunk_document(d) for d in docs})


def by_source(catalogue, source):
    return next(c for c in catalogue.cards() if c.source == source)


REFERENCES = [
    ("Chỉ thị 35-CT/TW", ["35-CT/TW"]),
    ("35-ct/tw", ["35-CT/TW"]),
    ("35/CT-TW", ["35/CT-TW"]),
    ("cong van 517", ["Công văn 517"]),
    ("Công văn số 517", ["Công văn 517"]),
    ("chi thi so 5 cua tinh uy", ["Chỉ thị 5"]),
    ("chỉ thị 5 về cán bộ", []),  # one digit without "số" is no reference
    ("Nghị quyết 11 và Kết luận 55-KL/TW", ["55-KL/TW", "Nghị quyết 11"]),
    ("tỷ lệ cán bộ nữ năm 2024", []),
]


@pytest.mark.parametrize("query,expected", REFERENCES, ids=[r[0] for r in REFERENCES])
def test_query_references(query, expected):
    assert [r.text for r in query_references(query)] == expected


def test_reference_matching():
    assert Ref.parse("11-NQ/TW").matches(Ref.parse("11/NQ-TW"))
    assert Ref.parse("Chỉ thị 35").matches(Ref.parse("35-CT/TW"))
    assert not Ref.parse("35-CT/TW").matches(Ref.parse("35-CT/TU"))
    assert not Ref.parse("Chỉ thị 35").matches(Ref.parse("35-NQ/TW"))


@pytest.mark.parametrize("typed", ["1539-CV/TU", "1539/CV-TU", "1539-cv/tu", "Công văn 1539", "cong van so 1539"])
def test_by_number_normalises_the_number(catalogue, typed):
    assert [c.meta.number for c in catalogue.by_number(typed)] == ["1539-CV/TU"]


def test_two_issuers_share_a_number(catalogue):
    answer = catalogue.lookup("cong van 517")
    assert sorted(c.meta.issuer for c in answer.cards) == ["Thành ủy Cần Thơ", "Thành ủy Hải Dương"]
    assert answer.lookup_only and not answer.missing
    assert {c.source for c in catalogue.by_number("517-CV/TU")} == {"002_23f78a906e3571ee.txt", OTHER_517}


def test_card_fields_and_relations(catalogue):
    card = by_source(catalogue, "002_23f78a906e3571ee.txt")
    d = card.to_dict()
    assert (d["type"], d["number"], d["issuer"], d["date"], d["signer"]) == (
        "Công văn", "517-CV/TU", "Thành ủy Cần Thơ", "2022-06-20", "Phạm Văn Hiểu")
    assert d["sections"] == ["phần mở đầu", "mục 1", "mục 2", "mục 3", "mục 4", "nơi nhận, chữ ký"]
    assert d["relations"]["cites"] == ["142/ĐCT-VP", "11-NQ/TW", "55-KL/TW", "21-CT/TW"]
    assert d["relations"]["implements"] == ["142/ĐCT-VP"]
    assert d["citation_report"].startswith("Công văn số 517-CV/TU ngày 20/06/2022 của Ban Thường vụ Thành ủy Cần Thơ")
    assert catalogue.card(card.doc_id) is card


def test_replacement_and_its_inverse_and_warning(catalogue):
    old = by_source(catalogue, OLD_DIRECTIVE)
    new = by_source(catalogue, NEW_DIRECTIVE)
    assert new.relations["replaces"] == ["05-CT/TU"]
    assert old.relations["replaced_by"] == ["12-CT/TU"] and old.relations["cited_by"] == ["12-CT/TU"]
    [warning] = catalogue.warnings(old.doc_id)
    assert warning.kind == "replaced_by" and warning.doc_id == new.doc_id
    assert warning.text == ("Văn bản này đã được thay thế bởi Chỉ thị số 12-CT/TU ngày 05/06/2023 của Ban Thường vụ "
                            "Tỉnh ủy Bình An về công tác cán bộ nữ giai đoạn 2023 - 2030.")
    assert catalogue.warnings(new.doc_id) == []
    assert [w["kind"] for w in old.to_dict()["warnings"]] == ["replaced_by"]


def test_no_warning_when_the_replacing_document_is_not_later(tmp_path):
    folder = write_desk_corpus(tmp_path / "c")
    text = (folder / NEW_DIRECTIVE).read_text(encoding="utf-8").replace("năm 2023", "năm 2014")
    (folder / NEW_DIRECTIVE).write_text(text, encoding="utf-8")
    docs = [load_document(f, f.name) for f in sorted(folder.iterdir())]
    cat = Catalogue({d.doc_id: d for d in docs}, {d.doc_id: chunk_document(d) for d in docs})
    old = by_source(cat, OLD_DIRECTIVE)
    assert old.relations["replaced_by"] == ["12-CT/TU"]
    assert cat.warnings(old.doc_id) == []


def test_not_in_collection_lists_the_citing_documents_with_their_passage(catalogue):
    answer = catalogue.lookup("Chỉ thị 35-CT/TW")
    assert answer and answer.lookup_only and answer.cards == []
    [missing] = answer.missing
    assert missing.text == "Chỉ thị số 35-CT/TW không có trong kho văn bản."
    [citing] = missing.citing
    assert citing.card.meta.number == "1539-CV/TU" and citing.section == "mục 4"
    assert "tại Chỉ thị số 35-CT/TW, ngày 14/6/2024 của Bộ Chính trị" in citing.passage
    d = answer.to_dict()
    assert d["card"] is None and d["not_in_collection"]["number"] == "35-CT/TW"
    assert [c["number"] for c in d["not_in_collection"]["cited_by"]] == ["1539-CV/TU"]
    assert catalogue.cited_by("35-CT/TW")[0][1] == citing.passage


def test_cited_by_a_bare_type_and_number(catalogue):
    numbers = [c.card.meta.number for c in catalogue.citing("Nghị quyết 11")]
    assert sorted(numbers) == ["", "1539-CV/TU", "517-CV/TU"]  # the news article cites 11/NQ-TW
    assert [c.card.meta.number for c in catalogue.citing("Quy định 99")] == ["12-CT/TU"]


def test_a_question_is_not_a_pure_lookup(catalogue):
    answer = catalogue.lookup("Chỉ thị 12-CT/TU quy định tỷ lệ cán bộ nữ bao nhiêu")
    assert [c.meta.number for c in answer.cards] == ["12-CT/TU"] and not answer.lookup_only
    assert catalogue.lookup("Chỉ thị 12-CT/TU của Tỉnh ủy Bình An").lookup_only
    assert not catalogue.lookup("tỷ lệ cán bộ nữ")


def test_plain_text_of_a_lookup_from_its_json(catalogue):
    import json

    from retrieval.card_text import card_lines

    data = json.loads(json.dumps(catalogue.lookup("Chỉ thị 05-CT/TU").to_dict(), ensure_ascii=False))
    lines = card_lines(data)
    assert lines[0] == ("Văn bản: Chỉ thị số 05-CT/TU ngày 10/03/2015 của Ban Thường vụ Tỉnh ủy Bình An về tăng cường "
                        "công tác cán bộ nữ trong tình hình mới")
    assert "  Bị thay thế bởi: 12-CT/TU" in lines
    assert any(line.startswith("  Lưu ý: Văn bản này đã được thay thế bởi Chỉ thị số 12-CT/TU") for line in lines)
    lines = card_lines(catalogue.lookup("35-CT/TW").to_dict())
    assert lines[:3] == ["Chỉ thị số 35-CT/TW không có trong kho văn bản.", "Các văn bản trong kho trích dẫn văn bản này:",
                         "  - Công văn số 1539-CV/TU ngày 01/11/2024 của Ban Thường vụ Thành ủy Hải Phòng về việc quán "
                         "triệt một số nội dung về công tác cán bộ nữ tại Đảng bộ thành phố, mục 4"]
    assert card_lines(catalogue.lookup("Quyết định 999").to_dict())[:2] == [
        "Quyết định 999 không có trong kho văn bản.", "Không văn bản nào trong kho trích dẫn văn bản này."]


def _official(issuer_lines: str, number: str, place: str, date: str, subject: str, body: str) -> str:
    d, m, y = date.split("/")
    return (f"{issuer_lines}\n*\nSố {number}\n\nV/v {subject}\n\nĐẢNG CỘNG SẢN VIỆT NAM\n\n"
            f"{place}, ngày {d} tháng {m} năm {y}\n\n1. {body}\n\nT/M BAN THƯỜNG VỤ\nPHÓ BÍ THƯ\n\nNguyễn Văn An\n")


def test_a_number_two_issuers_share_links_by_date_or_place(tmp_path):
    files = {
        "binh_an_215.txt": _official("TỈNH ỦY BÌNH AN", "215-CV/TU", "Bình An", "10/01/2025", "công tác cán bộ nữ",
                                     "Các cấp ủy bảo đảm tỷ lệ cán bộ nữ."),
        "hoa_son_215.txt": _official("TỈNH ỦY HÒA SƠN", "215-CV/TU", "Hòa Sơn", "06/01/2025", "công tác cán bộ trẻ",
                                     "Các cấp ủy tạo nguồn cán bộ trẻ."),
        "an_phu_12.txt": _official("ĐẢNG BỘ TỈNH BÌNH AN\n\nHUYỆN ỦY AN PHÚ", "12-KH/HU", "An Phú", "20/01/2025",
                                   "triển khai công tác cán bộ nữ",
                                   "Thực hiện Công văn số 215-CV/TU của Ban Thường vụ Tỉnh ủy, Huyện ủy yêu cầu ..."),
        "so_ban_ngang_9.txt": _official("BAN TỔ CHỨC TRUNG ƯƠNG", "9-HD/BTCTW", "Hà Nội", "25/01/2025",
                                        "tổng hợp kết quả",
                                        "Thực hiện Công văn số 215-CV/TU, ngày 06/01/2025 của Ban Thường vụ Tỉnh ủy."),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    docs = [load_document(tmp_path / n, n) for n in files]
    cat = Catalogue({d.doc_id: d for d in docs}, {d.doc_id: chunk_document(d) for d in docs})
    binh_an, hoa_son = by_source(cat, "binh_an_215.txt"), by_source(cat, "hoa_son_215.txt")
    assert binh_an.relations["implemented_by"] == ["12-KH/HU"]  # the district of Bình An, by place
    assert hoa_son.relations["implemented_by"] == ["9-HD/BTCTW"]  # by the date written after the number
    assert len(cat.lookup("Công văn 215-CV/TU").cards) == 2
