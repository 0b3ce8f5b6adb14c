"""Text shown as text: one escaping function for Markdown and HTML, and Vietnamese texts for Streamlit's own widgets."""

from __future__ import annotations

import re

from indexer.reader import SUPPORTED_SUFFIXES
from indexer.uploads import MAX_UPLOAD_BYTES

# Characters that Markdown (CommonMark + GFM + Streamlit's extensions: :emoji:, :red[..], $math$, ~~) or HTML
# give a meaning to. Each becomes a numeric character reference: it renders as the character itself in Markdown
# text and inside HTML blocks alike, and no Markdown or HTML construct can start from it.
_SPECIAL = "\\`*_{}[]()<>#+-.!|~:$&\"'=/@%^"
_TABLE = {ord(c): f"&#{ord(c)};" for c in _SPECIAL}
# Streamlit links bare URLs and e-mail addresses after decoding (GFM autolink literals): an invisible word joiner
# inside "https://", "www." and before "@" keeps them text.
WORD_JOINER = "\u2060"
_AUTOLINK = re.compile(r"(?i)(?<=https)(?=:)|(?<=http)(?=:)|(?<=ftp)(?=:)|(?<=www)(?=\.)|(?=@)")


def no_autolink(text: str) -> str:
    """`text` with a word joiner where a Markdown renderer would start an automatic link."""
    return _AUTOLINK.sub(WORD_JOINER, text)


def md(text: object) -> str:
    """`text` as literal characters in any Markdown/HTML-rendering widget (st.markdown, labels, st.table, alerts)."""
    if text is None:
        return ""
    return " ".join(no_autolink(str(text)).translate(_TABLE).splitlines())


def upload_suffixes() -> list[str]:
    """The file types the upload box accepts: exactly what the build reads (scans included), without dots."""
    return sorted(s.lstrip(".") for s in SUPPORTED_SUFFIXES)


def upload_types_text() -> str:
    """E.g. "DOCX, HTM, HTML, JPEG, JPG, MD, PDF, PNG, TIF, TIFF, TXT"."""
    return ", ".join(s.upper() for s in upload_suffixes())


def _css_string(text: str) -> str:
    """A CSS string literal (the page is UTF-8: only quotes and backslashes need escaping)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def widget_css() -> str:
    """Vietnamese in place of the English texts inside Streamlit's widgets, plus the desk's own styles."""
    limit = f"Tối đa {MAX_UPLOAD_BYTES // (1024 * 1024)} MB mỗi tệp • {upload_types_text()}"
    return f"""
<style>
mark {{ background: #fff3a3; padding: 0 1px; }}
span.answer {{ background: #c9f2d0; }}
span.answer mark {{ background: #a8e6b4; }}
.passage {{ line-height: 1.6; }}
span.cited {{ background: #ffe7b3; scroll-margin-top: 6rem; }}
/* file uploader: the "Upload" button and the "25MB per file • PDF, ..." line */
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{ font-size: 0; }}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
  content: {_css_string("Chọn tệp")}; font-size: 0.875rem; }}
[data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}
[data-testid="stFileUploaderDropzoneInstructions"] span::after {{
  content: {_css_string(limit)}; font-size: 0.875rem; }}
/* "Press Enter to apply" under text inputs */
[data-testid="InputInstructions"] {{ font-size: 0; }}
[data-testid="InputInstructions"]::after {{ content: {_css_string("Nhấn Enter để áp dụng")}; font-size: 0.75rem; }}
/* English toolbars (copy, download, search, fullscreen): the desk has its own buttons */
[data-testid="stElementToolbar"], [data-testid="stCode"] [data-testid="stElementToolbarButton"] {{ display: none; }}
</style>
"""
