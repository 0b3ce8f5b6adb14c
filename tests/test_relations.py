"""Relations read from a document's text: a table of phrasings met in directive documents (written by
hand for this test), the negatives that must not count, and the seeds."""

import pytest

from indexer.build import load_document
from indexer.relations import KINDS, extract_relations

from .conftest import CORPUS, SEED_000, SEED_002, SEED_004

# (text, own number, expected {(kind, number)} besides "cites")
TABLE = [
    # replaces
    ("Chỉ thị này thay thế Chỉ thị số 10-CT/TU ngày 05/3/2015 của Ban Thường vụ Tỉnh ủy.", "35-CT/TU",
     {("replaces", "10-CT/TU")}),
    ("Quyết định này có hiệu lực kể từ ngày ký và thay thế Quyết định số 125/QĐ-UBND ngày 12/01/2019.", "45/QĐ-UBND",
     {("replaces", "125/QĐ-UBND")}),
    ("Nghị quyết này thay thế cho Nghị quyết số 02-NQ/TU ngày 3 tháng 6 năm 2016 của Tỉnh ủy.", "09-NQ/TU",
     {("replaces", "02-NQ/TU")}),
    ("Kế hoạch này thay thế Kế hoạch số 12-KH/TU ngày 5/3/2021 và Kế hoạch số 18-KH/TU ngày 9/9/2021 của Ban Thường vụ.",
     "40-KH/TU", {("replaces", "12-KH/TU"), ("replaces", "18-KH/TU")}),
    ("Thông tư này thay thế Thông tư số 01/2011/TT-BNV ngày 19/01/2011 của Bộ Nội vụ.", "01/2023/TT-BNV",
     {("replaces", "01/2011/TT-BNV")}),
    ("Quy định này thay thế Quy định số 105-QĐ/TW.", "80-QĐ/TW", {("replaces", "105-QĐ/TW")}),
    ("Chỉ thị này thay thế Chỉ thị số 05 của Ban Thường vụ Huyện ủy.", "12-CT/HU", {("replaces", "Chỉ thị 05")}),
    # repeals
    ("Bãi bỏ Quyết định số 15/2020/QĐ-UBND ngày 12/5/2020 của Ủy ban nhân dân tỉnh.", "20/2024/QĐ-UBND",
     {("repeals", "15/2020/QĐ-UBND")}),
    ("Quyết định số 7/2018/QĐ-UBND ngày 01/3/2018 hết hiệu lực kể từ ngày Quyết định này có hiệu lực thi hành.",
     "3/2024/QĐ-UBND", {("repeals", "7/2018/QĐ-UBND")}),
    ("Kể từ ngày Chỉ thị này có hiệu lực, Chỉ thị số 08-CT/TU và Chỉ thị số 11-CT/TU hết hiệu lực.", "20-CT/TU",
     {("repeals", "08-CT/TU"), ("repeals", "11-CT/TU")}),
    ("Hủy bỏ Công văn số 230-CV/TU ngày 2/4/2023 của Văn phòng Tỉnh ủy.", "301-CV/TU", {("repeals", "230-CV/TU")}),
    ("Hướng dẫn số 05-HD/BTC không còn hiệu lực kể từ ngày ký.", "09-HD/BTC", {("repeals", "05-HD/BTC")}),
    # a part only is repealed: that amends the document
    ("Bãi bỏ Điều 5 và khoản 2 Điều 7 của Quyết định số 22/2019/QĐ-UBND.", "30/2024/QĐ-UBND",
     {("amends", "22/2019/QĐ-UBND")}),
    # amends
    ("Sửa đổi, bổ sung một số điều của Quy định số 105-QĐ/TW ngày 19/12/2017 của Ban Chấp hành Trung ương.",
     "50-QĐ/TW", {("amends", "105-QĐ/TW")}),
    ("Quyết định này sửa đổi Điều 3 Quyết định số 45/QĐ-UBND ngày 10/02/2022.", "99/QĐ-UBND",
     {("amends", "45/QĐ-UBND")}),
    ("Sửa đổi, bổ sung Quy chế làm việc ban hành kèm theo Quyết định số 12-QĐ/TU ngày 3/3/2021.", "40-QĐ/TU",
     {("amends", "12-QĐ/TU")}),
    ("Đính chính Công văn số 88-CV/BTG ngày 5/5/2024 như sau: dòng 3 ghi là ...", "90-CV/BTG",
     {("amends", "88-CV/BTG")}),
    # implements
    ("Thực hiện Chỉ thị số 35-CT/TW ngày 14/6/2024 của Bộ Chính trị, Ban Thường vụ Tỉnh ủy ban hành Kế hoạch như sau:",
     "120-KH/TU", {("implements", "35-CT/TW")}),
    ("Triển khai Nghị quyết số 57-NQ/TW của Bộ Chính trị, Thành ủy yêu cầu ...", "15-KH/TU",
     {("implements", "57-NQ/TW")}),
    ("Để triển khai thực hiện có hiệu quả Kết luận số 21-KL/TW, Ban Thường vụ yêu cầu:", "88-CV/TU",
     {("implements", "21-KL/TW")}),
    ("Các cấp ủy tổ chức quán triệt, triển khai thực hiện nghiêm túc Chỉ thị số 35-CT/TW và Thông tri số 10-TT/TU.",
     "1539-CV/TU", {("implements", "35-CT/TW"), ("implements", "10-TT/TU")}),
    ("Quán triệt Nghị quyết 04/NQ-TW của Bộ Chính trị về tăng cường công tác vận động phụ nữ.", "7-KH/QU",
     {("implements", "04/NQ-TW")}),
    ("Thực hiện Công văn số 142/ĐCT-VP ngày 21/4/2022 của Đoàn Chủ tịch Trung ương Hội.", "517-CV/TU",
     {("implements", "142/ĐCT-VP")}),
    ("Thực hiện tinh thần Chỉ thị số 21-CT/TW, Đảng đoàn Hội đề nghị ...", "5-CV/ĐĐ", {("implements", "21-CT/TW")}),
    ("THỰC HIỆN Quyết định số 217-QĐ/TW, Ban Thường vụ chỉ đạo ...", "60-KH/TU", {("implements", "217-QĐ/TW")}),
    ("Các chi bộ thực hiện đúng theo Hướng dẫn số 12-HD/BTCTW ngày 6/6/2022.", "30-HD/ĐU", {("implements", "12-HD/BTCTW")}),
    ("KẾ HOẠCH\nTriển khai Chỉ thị số 45-CT/TW của Ban Bí thư\n", "77-KH/TU", {("implements", "45-CT/TW")}),
    ("Điều 2. Bãi bỏ khoản 3 Điều 5 Quy định ban hành kèm theo Quyết định số 20/2019/QĐ-UBND.", "4/2025/QĐ-UBND",
     {("amends", "20/2019/QĐ-UBND")}),
    # negatives: only citations, or nothing
    ("Các cấp ủy thực hiện tốt công tác cán bộ, bảo đảm tỷ lệ cán bộ nữ.", "1-CV/TU", set()),
    ("Thực hiện tốt công tác cán bộ theo Chỉ thị số 35-CT/TW của Bộ Chính trị.", "1-CV/TU", set()),
    ("Căn cứ Luật sửa đổi, bổ sung một số điều của Luật Tổ chức Chính phủ số 47/2019/QH14;", "10/QĐ-UBND", set()),
    ("Căn cứ Nghị định số 30/2020/NĐ-CP; Nghị định số 10/2023/NĐ-CP sửa đổi, bổ sung Nghị định số 30/2020/NĐ-CP;",
     "5/QĐ-UBND", set()),
    ("Kết luận số 55-KL/TW ngày 18/01/2013 của Ban Bí thư về tiếp tục đẩy mạnh thực hiện Nghị quyết số 11-NQ/TW.",
     "517-CV/TU", set()),
    ("Thông tri số 22-TT/TU, ngày 12/4/2018 của Ban Thường vụ Thành ủy thực hiện Chỉ thị số 21-CT/TW.", "1539-CV/TU",
     set()),
    ("Quyết định số 10/QĐ-UBND đã được sửa đổi, bổ sung bởi Quyết định số 20/QĐ-UBND.", "30/QĐ-UBND", set()),
    ("Chỉ thị số 10-CT/TU được thay thế bằng Chỉ thị số 12-CT/TU.", "40-CT/TU", set()),
    ("Sử dụng các thiết bị thay thế phù hợp theo Quyết định số 5/QĐ-SYT.", "8/QĐ-SYT", set()),
    ("Bổ sung cán bộ cho các cơ quan, đơn vị còn thiếu theo Quy định số 205-QĐ/TW.", "9-CV/TU", set()),
    ("Bãi bỏ các quy định trước đây trái với Quyết định này.", "14/QĐ-UBND", set()),
    ("Quyết định số 5/QĐ-UBND vẫn còn hiệu lực, chưa hết hiệu lực.", "8/QĐ-UBND", set()),
    ("Trọng tâm là thực hiện có hiệu quả các văn bản của Đảng về công tác phụ nữ, trong đó có Nghị quyết số 11-NQ/TW.",
     "517-CV/TU", set()),
    ("Theo đề nghị của Giám đốc Sở Nội vụ tại Tờ trình số 123/TTr-SNV ngày 02/3/2025.", "15/QĐ-UBND", set()),
    ("Luật sửa đổi, bổ sung một số điều của Luật Cán bộ, công chức số 52/2019/QH14;", "7/QĐ-UBND", set()),
    # the document's own number is never a relation
    ("Chỉ thị số 35-CT/TU thay thế Chỉ thị số 35-CT/TU.", "35-CT/TU", set()),
]


@pytest.mark.parametrize("text,own,expected", TABLE, ids=[t[0][:50] for t in TABLE])
def test_relation_phrasings(text, own, expected):
    relations = extract_relations(text, own)
    assert {(r.kind, r.number) for r in relations if r.kind != "cites"} == expected
    assert all(r.kind in KINDS for r in relations)
    for r in relations:
        if r.kind != "cites":
            assert r.number.split()[-1].split("/")[0].split("-")[0] in r.phrase


def test_cites_are_the_metadata_citations_without_own_number():
    text = "Thực hiện Chỉ thị số 35-CT/TW và Quyết định 217, 218 của Bộ Chính trị; Chỉ thị số 12-CT/TU thay thế Chỉ thị này."
    cites = [r.number for r in extract_relations(text, "12-CT/TU") if r.kind == "cites"]
    assert cites == ["35-CT/TW", "Quyết định 217", "Quyết định 218"]


def test_news_articles_only_cite():
    text = "Chỉ thị số 35-CT/TW thay thế Chỉ thị số 10-CT/TW. Thực hiện Chỉ thị số 35-CT/TW, tỉnh đã tổ chức hội nghị."
    relations = extract_relations(text, None, news=True)
    assert [(r.kind, r.number) for r in relations] == [("cites", "35-CT/TW"), ("cites", "10-CT/TW")]


def test_seed_relations():
    def rel(name):
        doc = load_document(CORPUS / name, name)
        assert doc.meta.relations == extract_relations(doc.text, doc.meta.number, doc.meta.is_news)
        return [(r.kind, r.number) for r in doc.meta.relations]

    assert rel(SEED_000) == [("cites", n) for n in
                             ["11-NQ/TW", "21-CT/TW", "23/2019/NQ-HĐND", "35-CT/TW", "10-TT/TU", "221-KL/TU", "22-TT/TU"]]
    assert rel(SEED_002) == [("cites", "142/ĐCT-VP"), ("cites", "11-NQ/TW"), ("cites", "55-KL/TW"),
                             ("cites", "21-CT/TW"), ("implements", "142/ĐCT-VP")]
    assert rel(SEED_004) == [("cites", "01-ĐA/TU"), ("cites", "96-KH/TU"), ("cites", "Nghị quyết 02")]
    cite_35 = next(r for r in load_document(CORPUS / SEED_000, SEED_000).meta.relations if r.number == "35-CT/TW")
    assert "tại Chỉ thị số 35-CT/TW, ngày 14/6/2024 của Bộ Chính trị" in cite_35.phrase


def test_relations_survive_a_json_round_trip():
    from dataclasses import asdict

    from indexer.document import DocMeta

    meta = load_document(CORPUS / SEED_002, SEED_002).meta
    again = DocMeta(**__import__("json").loads(__import__("json").dumps(asdict(meta))))
    assert again == meta and again.relations[-1].kind == "implements"


def test_old_metadata_has_no_relations():
    from indexer.document import DocMeta

    assert DocMeta().relations is None


def test_phrase_table_shape():
    import json

    from indexer.relations import _PHRASES

    data = json.loads(_PHRASES.read_text(encoding="utf-8"))
    assert set(data["verbs"]) == set(KINDS) - {"cites"} == set(data["max_gap"])
    assert all(isinstance(v, str) and v.strip() == v and v for verbs in data["verbs"].values() for v in verbs)
    assert set(data["allowed_gap_words"]) <= set(data["verbs"])
    words = [w for ws in data["allowed_gap_words"].values() for w in ws] + data["forbidden_gap_words"]
    assert all(" " not in w and w == w.lower() for w in words)
