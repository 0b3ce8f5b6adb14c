"""A small client of the HTTP API for the CLI (`search/ask --server URL`): standard library only, no model."""

from __future__ import annotations

import json
import urllib.error
import urllib.request


class ServerError(Exception):
    """The service could not be reached or refused the request; the message is user text (Vietnamese)."""


def post_question(server: str, route: str, question: str, k: int | None, token: str | None,
                  timeout: float = 120.0) -> dict:
    """POST {"question", "k"} to SERVER/route ("search" or "ask"); the JSON the service answered."""
    url = server.rstrip("/") + "/" + route
    body = json.dumps({"question": question, "k": k}, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        raise ServerError(_http_error_text(exc)) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ServerError(f"Không kết nối được tới dịch vụ {server} ({reason}). "
                          "Hãy kiểm tra địa chỉ và chạy: python -m retrieval serve") from None
    except ValueError:
        raise ServerError(f"Dịch vụ {server} trả về dữ liệu không phải JSON.") from None


def _http_error_text(exc: urllib.error.HTTPError) -> str:
    try:
        detail = json.loads(exc.read().decode("utf-8")).get("detail")
    except (ValueError, AttributeError, OSError):
        detail = None
    detail = detail if isinstance(detail, str) else f"mã lỗi HTTP {exc.code}"
    if exc.code == 401:
        return f"{detail} Dùng --token MÃ hoặc biến môi trường VNDS_TOKEN."
    return detail
