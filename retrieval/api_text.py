"""Vietnamese text of the HTTP API's errors: validation errors by field, and plain HTTP statuses."""

from __future__ import annotations

ACTION_NAMES = {"ask": "tra cứu", "browse": "xem văn bản", "update": "cập nhật chỉ mục", "upload": "tải lên văn bản",
                "rebuild": "xây dựng lại chỉ mục"}
STATUS_TEXT = {
    404: "Không có đường dẫn này. Xem danh sách tại /docs.",
    405: "Đường dẫn này không nhận phương thức đó. Xem /docs.",
}
# pydantic error type -> message; {name} fields come from the error's ctx
VALIDATION_TEXT = {
    "missing": "thiếu trường bắt buộc",
    "string_too_short": "không được để trống",
    "string_too_long": "quá dài (tối đa {max_length} ký tự)",
    "string_type": "phải là chuỗi chữ",
    "int_type": "phải là số nguyên",
    "int_parsing": "phải là số nguyên",
    "int_from_float": "phải là số nguyên",
    "bool_type": "phải là true hoặc false",
    "list_type": "phải là một danh sách",
    "model_type": "phải là một đối tượng JSON",
    "dict_type": "phải là một đối tượng JSON",
    "greater_than_equal": "phải lớn hơn hoặc bằng {ge}",
    "greater_than": "phải lớn hơn {gt}",
    "less_than_equal": "phải nhỏ hơn hoặc bằng {le}",
    "less_than": "phải nhỏ hơn {lt}",
    "literal_error": "phải là một trong các giá trị: {expected}",
    "extra_forbidden": "trường không được phép",
    "json_invalid": "JSON không hợp lệ",
    "model_attributes_type": "phải là một đối tượng JSON (Content-Type: application/json)",
    "json_type": "phải là JSON",
}


def field_path(loc) -> str:
    """("body", "filters", "kind") -> "body.filters.kind"; list positions in brackets."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def validation_errors(errors) -> list[dict]:
    """pydantic/FastAPI errors -> [{"field": "body.question", "message": "..."}] in Vietnamese."""
    out = []
    for e in errors:
        template = VALIDATION_TEXT.get(e.get("type", ""), "giá trị không hợp lệ")
        ctx = {k: str(v).replace(" or ", " hoặc ") for k, v in (e.get("ctx") or {}).items()}
        try:
            message = template.format(**ctx)
        except (KeyError, IndexError):
            message = template.split(" (")[0].split(" {")[0]
        loc = e.get("loc", ())
        if e.get("type") == "json_invalid":  # ("body", character position)
            loc, message = loc[:1], f"{message} (ở ký tự {loc[-1]})" if len(loc) > 1 else message
        out.append({"field": field_path(loc), "message": message})
    return out or [{"field": "body", "message": "giá trị không hợp lệ"}]


def http_error_text(status: int, detail) -> str:
    """Our own details are Vietnamese already; the framework's English defaults are replaced."""
    if status in STATUS_TEXT and detail in (None, "Not Found", "Method Not Allowed"):
        return STATUS_TEXT[status]
    return str(detail)
