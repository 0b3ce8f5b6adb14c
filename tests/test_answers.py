"""Answers that hold the fact: what a question asks for, the facts a sentence holds, and the choice of the
answer clause among real passages of the look-alike collection (no model: these run in well under a second)."""

from pathlib import Path

import pytest

from indexer.build import load_document
from indexer.chunker import chunk_document
from retrieval.answer import extract_answer
from retrieval.ask import answer_first
from retrieval.facts import Asked, bodies, classify, dates, document_numbers, fact_spans, people
from retrieval.search import Hit

DOCS = Path(__file__).resolve().parent.parent / "eval" / "lookalike" / "docs"


@pytest.mark.parametrize("question, kind, unit, unit_words", [
    # quantities, with the unit the question asks for
    ("Tỉnh ủy yêu cầu tỷ lệ cán bộ nữ trong quy hoạch đạt bao nhiêu?", "quantity", "percent", ()),
    ("ty le nu tham gia cap uy nhiem ky toi la bao nhieu", "quantity", "percent", ()),
    ("What share of party committee members should be women?", "quantity", "percent", ()),
    ("what is the required share of women in the standing committee", "quantity", "percent", ()),
    ("Học viên được hỗ trợ bao nhiêu tiền khi tốt nghiệp thạc sĩ?", "quantity", "money", ()),
    ("ho tro can bo luan chuyen bao nhieu 1 thang", "quantity", "money", ()),
    ("Cán bộ đi học được hỗ trợ thêm bao nhiêu mỗi tháng?", "quantity", "money", ()),
    ("How much does the province pay a cadre who completes a doctorate?", "quantity", "money", ()),
    ("tong kinh phi dao tao giai doan 2025-2030", "quantity", "money", ()),
    ("Mở mấy lớp bồi dưỡng cán bộ nữ?", "quantity", "count", ("lop",)),
    ("Ban thường vụ có ít nhất mấy đồng chí nữ?", "quantity", "count", ("dong",)),
    ("mo may lop boi duong can bo nu", "quantity", "count", ("lop",)),
    ("Huyện ủy luân chuyển bao nhiêu cán bộ trẻ về cơ sở?", "quantity", "count", ("can",)),
    ("How many young cadres will the district rotate to communes?", "quantity", "count", ("can",)),
    ("How many people will be trained this year?", "quantity", "count", ("nguoi",)),
    ("Cán bộ trẻ là người dưới bao nhiêu tuổi?", "quantity", "age", ()),
    ("không luân chuyển cán bộ nữ nuôi con dưới bao nhiêu tháng tuổi", "quantity", "age", ("thang",)),
    ("cam ket cong tac bao nhieu nam sau khi tot nghiep", "quantity", "duration", ("nam",)),
    ("How many years must trained officials keep working in the province?", "quantity", "duration", ("nam",)),
    ("Cấp ủy viên tái cử phải còn đủ tuổi công tác bao lâu?", "quantity", "duration", ()),
    # dates and deadlines
    ("Các xã phải báo cáo kết quả rà soát trước ngày nào?", "date", "", ()),
    ("han chot gui danh sach can bo tre", "date", "", ()),
    ("Huyện ủy giao hạn nộp báo cáo là khi nào?", "date", "", ()),
    ("Nghị quyết có hiệu lực từ ngày nào?", "date", "", ()),
    ("By when must the communes finish their congresses?", "date", "", ()),
    ("What is the deadline for sending the lists?", "date", "", ()),
    # people and bodies
    ("Ai ký công văn về cán bộ trẻ?", "who", "person", ()),
    ("ai ky cong van ve can bo tre", "who", "person", ()),
    ("Who signed the city's letter on women cadres?", "who", "person", ()),
    ("According to the newspaper, which official praised the rule?", "who", "person", ()),
    ("Ủy ban nhân dân tỉnh giao cơ quan nào làm thường trực?", "who", "body", ()),
    ("which agency leads the training programme", "who", "body", ()),
    # document numbers
    ("Công văn năm 2025 thay thế văn bản nào?", "document", "", ()),
    ("Công văn 215-CV/TU thay thế văn bản nào?", "document", "", ("215CVTU",)),
    ("nghi quyet nao bai bo dieu kien tuoi", "document", "", ()),
    ("Which resolution does the 2025 amendment change?", "document", "", ()),
    # neither
    ("Nội dung bồi dưỡng cán bộ nữ gồm những gì?", "other", "", ()),
    # "who" inside a relative clause asks nothing about a person; "mấy" needs its marks when the question has them
    ("How much does the council give an official who completes a master's degree?", "quantity", "money", ()),
    ("Chương trình đào tạo lái máy gồm những nội dung gì?", "other", "", ()),
])
def test_classify(question, kind, unit, unit_words):
    named = unit_words if kind == "document" else ()
    assert classify(question) == Asked(kind, unit, () if named else unit_words, named)


def found(fn, text):
    return [text[a:b] for a, b in fn(text)]


@pytest.mark.parametrize("text, expected", [
    ("hoàn thành trước ngày 28/02/2025.", ["28/02/2025"]),
    ("có hiệu lực từ ngày 01 tháng 5 năm 2025", ["ngày 01 tháng 5 năm 2025"]),
    ("Đại hội tổ chức trong tháng 10/2025", ["tháng 10/2025"]),
    ("báo cáo trước ngày 15/9 hằng năm", ["trước ngày 15/9"]),
    ("tỷ lệ đạt từ 22% trở lên", []),
])
def test_dates(text, expected):
    assert found(dates, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("PHÓ BÍ THƯ THƯỜNG TRỰC\nHoàng Đức Thịnh", ["Hoàng Đức Thịnh"]),
    ("Trao đổi với phóng viên, bà Đinh Thị Lan Phương, Phó Trưởng ban Tổ chức Tỉnh ủy cho biết", ["Đinh Thị Lan Phương"]),
    ("Ma Văn Thiện", ["Ma Văn Thiện"]),
    ("ông Kiên Hoàng Long, Giám đốc Sở Nội vụ", ["Kiên Hoàng Long"]),
    ("- Lưu Văn phòng.", []),  # a surname-like word before an office's name
    ("Ban Thường vụ Tỉnh ủy Hà Tĩnh yêu cầu", []),  # a place after a surname-like word
    ("Kính gửi Ban Tổ chức Tỉnh ủy", []),
])
def test_people(text, expected):
    assert found(people, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("giao Sở Nội vụ làm cơ quan thường trực", ["Sở Nội"]),
    ("báo cáo về Ban Tổ chức Tỉnh ủy trước ngày 28/02/2025", ["Ban Tổ"]),
    ("tỷ lệ cán bộ nữ đạt 22%", []),
])
def test_bodies(text, expected):
    assert found(bodies, text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Công văn này thay thế Công văn số 148-CV/TU, ngày 14/3/2023", ["148-CV/TU"]),
    ("Sửa đổi Nghị quyết số 25/2023/NQ-HĐND", ["25/2023/NQ-HĐND"]),
    ("kê khai theo Mẫu 01-RS kèm theo", ["Mẫu 01-RS"]),
    ("hoàn thành trước ngày 28/02/2025", []),
])
def test_document_numbers(text, expected):
    assert found(document_numbers, text) == expected


@pytest.mark.parametrize("asked, text, score", [
    (Asked("quantity", "percent"), "tỷ lệ nữ tham gia ban thường vụ đạt từ 15% trở lên", 1.0),
    (Asked("quantity", "percent"), "mở 04 lớp bồi dưỡng cho 240 cán bộ nữ", 0.0),
    (Asked("quantity", "money"), "hỗ trợ thêm 1.500.000 đồng/người/tháng", 1.0),
    (Asked("quantity", "money"), "dự kiến tổng kinh phí 18,5 tỷ đồng", 1.0),
    (Asked("quantity", "money"), "tỷ lệ đạt từ 22% trở lên", 0.0),
    (Asked("quantity", "money"), "nhiệm kỳ 2020-2025 tỷ lệ cán bộ nữ đạt 15,2%", 0.0),  # "2025 tỷ lệ" is no sum
    (Asked("quantity", "count", ("lop",)), "mở 04 lớp bồi dưỡng cho 240 cán bộ nữ", 1.0),
    (Asked("quantity", "count", ("lop",)), "luân chuyển 45 cán bộ trẻ", 0.5),  # a figure, not the counted one
    (Asked("quantity", "age"), "cán bộ, đảng viên dưới 35 tuổi", 1.0),
    (Asked("quantity", "age", ("thang",)), "không luân chuyển cán bộ nữ nuôi con dưới 24 tháng tuổi", 1.0),
    (Asked("quantity", "duration", ("nam",)), "cam kết công tác tại tỉnh ít nhất 05 năm", 1.0),
    # the parts of a full date are not durations
    (Asked("quantity", "duration", ("nam",)), "Hà Tĩnh, ngày 10 tháng 01 năm 2025", 0.0),
    (Asked("date"), "gửi về Ban Tổ chức Tỉnh ủy trước ngày 31/01/2025", 1.0),
    (Asked("date"), "trong năm 2025 mở 04 lớp", 0.3),
    (Asked("who", "person"), "PHÓ BÍ THƯ\nNguyễn Hữu Phước", 1.0),
    (Asked("who", "person"), "Ban Tổ chức Tỉnh ủy chủ trì, phối hợp", 0.4),  # a body where a person was asked
    (Asked("document"), "thay thế Hướng dẫn số 03-HD/TU", 1.0),
    (Asked("document", named=("215CVTU",)), "Số 215-CV/TU", 0.0),  # the number the question names
])
def test_fact_score(asked, text, score):
    assert fact_spans(asked, text)[0] == score


def hits_of(*names: str, sections: tuple[str, ...] = ()) -> list[Hit]:
    """Real chunks of look-alike documents as ranked hits (all chunks of each document, in order)."""
    out: list[Hit] = []
    for name in names:
        doc = load_document(DOCS / name, name)
        for chunk in chunk_document(doc):
            if not sections or chunk.section in sections:
                out.append(Hit(chunk, 1.0, len(out) + 1))
    return out


DIRECTIVE = "ht_tu_2025_215-cv_can-bo-nu.txt"
NEWS = "news_baohatinh_2025_215-cv_can-bo-nu.txt"


@pytest.mark.parametrize("question, fact", [
    ("Tỉnh ủy Hà Tĩnh yêu cầu ban thường vụ cấp ủy có ít nhất mấy đồng chí nữ?", "02 đồng chí"),
    ("ty le can bo nu tham gia cap uy nhiem ky 2025-2030 dat bao nhieu", "22%"),
    ("Cán bộ nữ đi học tập trung dài hạn ngoài tỉnh được hỗ trợ thêm bao nhiêu mỗi tháng?", "1.500.000"),
    ("Không luân chuyển xa cán bộ nữ nuôi con dưới bao nhiêu tháng tuổi?", "24 tháng"),
    ("Hạn báo cáo kết quả rà soát cán bộ nữ về Ban Tổ chức Tỉnh ủy là ngày nào?", "28/02/2025"),
    ("Công văn 215-CV/TU thay thế văn bản nào?", "148-CV/TU"),
    ("Ai ký công văn nâng cao tỷ lệ cán bộ nữ của Tỉnh ủy Hà Tĩnh?", "Nguyễn Hữu Phước"),
    ("Mỗi cơ sở giới thiệu ít nhất mấy nhân sự nữ?", "02 nhân sự"),
])
def test_the_answer_holds_the_fact(question, fact):
    answer = extract_answer(question, hits_of(DIRECTIVE), passages=20)
    assert answer is not None and fact in answer.text


def test_directive_rather_than_the_news_article_restating_it():
    hits = hits_of(NEWS, DIRECTIVE)  # the article ranks first
    answer = extract_answer("Tỉnh ủy Hà Tĩnh mở bao nhiêu lớp bồi dưỡng cán bộ nữ năm 2025?", hits, passages=20)
    assert answer.chunk.source == DIRECTIVE and "04 lớp" in answer.text
    # unless the question asks what the newspaper said
    answer = extract_answer("Theo Báo Hà Tĩnh, lãnh đạo nào trả lời phỏng vấn về công văn cán bộ nữ?", hits, passages=20)
    assert answer.chunk.source == NEWS and "Đinh Thị Lan Phương" in answer.text


def test_the_answers_passage_is_moved_first():
    hits = hits_of(DIRECTIVE, sections=("phần mở đầu", "mục 1-2", "mục 9-10"))
    answer = extract_answer("Trong năm 2025 Tỉnh ủy Hà Tĩnh mở mấy lớp bồi dưỡng cán bộ nữ?", hits)
    assert answer.hit_rank == 3 and "04 lớp" in answer.text
    moved = answer_first(hits, answer)
    assert [h.chunk.section for h in moved] == ["mục 9-10", "phần mở đầu", "mục 1-2"]
    assert [h.rank for h in moved] == [1, 2, 3] and answer.hit_rank == 1 and answer.moved_from == 3
