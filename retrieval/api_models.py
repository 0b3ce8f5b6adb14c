"""Request and response models of the HTTP API (their Vietnamese descriptions make the /docs page)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class FiltersIn(BaseModel):
    """Bộ lọc kết quả; trường để trống không lọc gì."""

    model_config = ConfigDict(extra="forbid")
    issuers: list[str] = Field(default_factory=list, description="Cơ quan ban hành, ví dụ “Thành ủy Hải Phòng”")
    doc_types: list[str] = Field(default_factory=list, description="Loại văn bản, ví dụ “Chỉ thị”, “Công văn”")
    year_from: int | None = Field(None, ge=1900, le=2100, description="Từ năm")
    year_to: int | None = Field(None, ge=1900, le=2100, description="Đến năm")
    kind: Literal["all", "document", "news"] = Field("all", description="all: tất cả; document: văn bản chỉ đạo; news: tin bài")


class QuestionIn(BaseModel):
    """Một câu hỏi (tiếng Việt có hoặc không dấu, tiếng Anh, hoặc số văn bản như 35-CT/TW)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"question": "tỷ lệ cán bộ nữ tham gia ban thường vụ", "k": 3}]})
    question: Text = Field(description="Câu hỏi")
    k: int | None = Field(None, ge=0, le=100, description="Số đoạn trả về (mặc định 10 cho /search, 5 cho /ask)")
    filters: FiltersIn | None = Field(None, description="Bộ lọc (không bắt buộc)")


class WarningOut(BaseModel):
    """Một văn bản sau trong kho thay thế, bãi bỏ hoặc sửa đổi văn bản này."""

    model_config = ConfigDict(extra="allow")
    kind: str = Field(description="replaced_by, repealed_by hoặc amended_by")
    number: str
    doc_id: str
    date: str
    citation: str
    text: str = Field(description="Câu cảnh báo")


class ResultOut(BaseModel):
    """Một đoạn văn bản phù hợp, kèm trích dẫn."""

    model_config = ConfigDict(extra="allow")
    rank: int = Field(description="Thứ hạng, từ 1")
    score: float = Field(description="Điểm xếp hạng")
    doc_id: str = Field(description="Mã văn bản")
    source: str = Field(description="Tệp, đường dẫn tương đối trong thư mục văn bản")
    title: str = Field(description="Trích yếu")
    number: str = Field(description="Số, ký hiệu")
    issuer: str = Field(description="Cơ quan ban hành")
    date: str = Field(description="Ngày ban hành (yyyy-mm-dd)")
    section: str = Field(description="Phần của văn bản, ví dụ “mục 4”")
    text: str = Field(description="Đoạn văn bản, đúng như trong văn bản đã chuẩn hóa")
    citation: str = Field(description="Trích dẫn ngắn")
    citation_report: str = Field(description="Trích dẫn dạng báo cáo (theo Nghị định 30/2020/NĐ-CP)")
    excerpt_citation: str = Field(description="Đoạn trích trong ngoặc kép, kèm trích dẫn dạng báo cáo")
    warnings: list[WarningOut] = Field(description="Văn bản này đã bị thay thế, bãi bỏ hoặc sửa đổi bởi văn bản sau trong kho")


class AnswerOut(BaseModel):
    """Câu trả lời trích từ một đoạn văn bản."""

    model_config = ConfigDict(extra="allow")
    text: str = Field(description="Câu trả lời")
    start: int = Field(description="Vị trí bắt đầu trong đoạn")
    end: int = Field(description="Vị trí kết thúc trong đoạn")
    score: float
    rank: int = Field(description="Thứ hạng của đoạn chứa câu trả lời")
    answer_rank: int = Field(description="Thứ hạng của đoạn đó trong kết quả tìm kiếm, trước khi được đưa lên đầu")
    asked: str = Field(description="Câu hỏi hỏi gì: quantity (con số), date (ngày, thời hạn), who (người, cơ quan), "
                                   "document (số văn bản), other")
    source: str
    section: str
    citation: str
    citation_report: str
    excerpt_citation: str


class DocumentOut(BaseModel):
    """Thẻ văn bản: thông tin, các phần, quan hệ với văn bản khác, cảnh báo, trích dẫn hai dạng."""

    model_config = ConfigDict(extra="allow")
    doc_id: str = Field(description="Mã văn bản")
    source: str = Field(description="Tệp")
    type: str = Field(description="Loại văn bản")
    number: str = Field(description="Số, ký hiệu")
    issuer: str = Field(description="Cơ quan ban hành")
    date: str = Field(description="Ngày ban hành (yyyy-mm-dd)")
    subject: str = Field(description="Trích yếu")
    signer: str = Field(description="Người ký")
    sections: list[str] = Field(description="Các phần theo thứ tự")
    relations: dict[str, list[str]] = Field(description="Quan hệ theo loại: cites, replaces, repeals, amends, implements "
                                                        "và chiều ngược lại (cited_by, replaced_by, ...): các số văn bản")
    warnings: list[WarningOut]
    citation: str = Field(description="Trích dẫn ngắn")
    citation_report: str = Field(description="Trích dẫn dạng báo cáo")


class CitingOut(BaseModel):
    """Một văn bản trong kho trích dẫn số đã hỏi, kèm đoạn trích dẫn."""

    model_config = ConfigDict(extra="allow")
    doc_id: str
    source: str
    number: str
    citation: str
    citation_report: str
    section: str
    passage: str = Field(description="Đoạn văn có trích dẫn")
    phrase: str = Field(description="Cụm từ trích dẫn")


class NotInCollectionOut(BaseModel):
    """Số văn bản mà câu hỏi nêu nhưng kho không có."""

    model_config = ConfigDict(extra="allow")
    number: str
    text: str = Field(description="Câu thông báo")
    cited_by: list[CitingOut] = Field(description="Các văn bản trong kho trích dẫn nó")


class SearchOut(BaseModel):
    """Kết quả một câu hỏi: giống hệt JSON của `python -m retrieval search --json`."""

    model_config = ConfigDict(extra="allow")
    query: str = Field(description="Câu hỏi")
    results: list[ResultOut] = Field(description="Các đoạn phù hợp nhất")
    answer: AnswerOut | None = Field(description="Câu trả lời; null khi kho không có câu trả lời")
    no_answer: bool = Field(description="true khi kho văn bản không trả lời được câu hỏi")
    card: DocumentOut | None = Field(None, description="Khi câu hỏi nêu số văn bản có trong kho: thẻ của văn bản đó")
    not_in_collection: NotInCollectionOut | None = Field(
        None, description="Khi câu hỏi nêu số văn bản không có trong kho: thông báo và các văn bản trích dẫn nó")


class DocumentList(BaseModel):
    """Một trang danh mục văn bản."""

    total: int = Field(description="Tổng số văn bản thỏa bộ lọc")
    offset: int
    limit: int
    documents: list[DocumentOut]


class DocumentDetail(DocumentOut):
    """Thẻ văn bản và toàn văn."""

    text: str = Field(description="Toàn văn đã chuẩn hóa")


class ByNumberOut(BaseModel):
    """Các văn bản mang số đã hỏi."""

    number: str
    documents: list[DocumentOut]


class NotInCollection(NotInCollectionOut):
    """404: văn bản không có trong kho; kèm các văn bản trong kho trích dẫn nó."""

    detail: str


class HealthOut(BaseModel):
    """Tình trạng dịch vụ."""

    status: str = Field(description="ok")
    generation: str = Field(description="Thế hệ chỉ mục đang dùng")
    documents: int
    chunks: int
    model: str = Field(description="Mô hình tạo vector")
    reloading: bool = Field(description="true khi đang nạp một thế hệ chỉ mục mới")
    reload_error: str | None = Field(description="Lỗi khi nạp thế hệ chỉ mục mới nhất (dịch vụ vẫn dùng thế hệ cũ); null nếu không có")


class UpdateOut(BaseModel):
    """Kết quả cập nhật chỉ mục."""

    generation: str
    documents: int
    chunks: int
    added: list[str]
    changed: list[str]
    removed: list[str]
    skipped: list[str]


class FieldError(BaseModel):
    """Một trường không hợp lệ."""

    field: str = Field(description="Đường dẫn tới trường, ví dụ body.question")
    message: str


class ErrorOut(BaseModel):
    """Lỗi: một câu tiếng Việt."""

    detail: str


class ValidationOut(ErrorOut):
    """Dữ liệu gửi lên không hợp lệ."""

    errors: list[FieldError]
