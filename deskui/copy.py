"""Visible copy buttons (navigator.clipboard) with a Vietnamese confirmation, and the scroll to a cited passage."""

from __future__ import annotations

import html
import json

import streamlit as st

COPIED = "Đã sao chép vào bộ nhớ tạm."
NOT_COPIED = "Trình duyệt không cho sao chép: hãy chọn chữ trong ô bên dưới rồi nhấn Ctrl+C."


def _js(value: object) -> str:
    """A JavaScript literal that cannot close the <script> element it sits in."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def copy_buttons_html(items: list[tuple[str, str]]) -> str:
    """The HTML of one row of buttons; each (label, text) copies `text` exactly."""
    buttons = "".join(
        f'<button type="button" data-i="{i}">{html.escape(label)}</button>' for i, (label, _text) in enumerate(items)
    )
    return f"""<div class="row">{buttons}<span id="msg" role="status"></span></div>
<style>
body {{ margin: 0; font-family: "Source Sans Pro", "Source Sans 3", sans-serif; font-size: 14px; }}
.row {{ display: flex; gap: 8px; align-items: center; flex-wrap: wrap; }}
button {{ border: 1px solid #c7c9d1; border-radius: 6px; background: #fff; padding: 4px 10px; cursor: pointer;
  font: inherit; color: #31333f; }}
button:hover {{ border-color: #ff4b4b; color: #ff4b4b; }}
#msg {{ color: #1f7a3a; }}
</style>
<script>
const texts = {_js([text for _label, text in items])};
const msg = document.getElementById("msg");
function fallback(text) {{
  const area = document.createElement("textarea");
  area.value = text; document.body.appendChild(area); area.select();
  let ok = false; try {{ ok = document.execCommand("copy"); }} catch (e) {{ ok = false; }}
  area.remove(); return ok;
}}
for (const b of document.querySelectorAll("button")) {{
  b.addEventListener("click", async () => {{
    const text = texts[Number(b.dataset.i)];
    let ok = false;
    try {{ await navigator.clipboard.writeText(text); ok = true; }} catch (e) {{ ok = fallback(text); }}
    msg.textContent = ok ? {_js(COPIED)} : {_js(NOT_COPIED)};
    msg.style.color = ok ? "#1f7a3a" : "#b3261e";
  }});
}}
</script>"""


def copy_buttons(items: list[tuple[str, str]]) -> None:
    """A row of visible copy buttons on the page."""
    st.iframe(copy_buttons_html(items), height=40)


def scroll_to(element_id: str, nonce: str) -> None:
    """Scroll the page to the element with `element_id` once it is rendered (`nonce` re-runs it for a new target)."""
    st.iframe(
        f"""<script>/* {html.escape(nonce)} */
let tries = 0;
const timer = setInterval(() => {{
  const el = window.parent.document.getElementById({_js(element_id)});
  if (el || ++tries > 50) {{ clearInterval(timer); if (el) el.scrollIntoView({{block: "center"}}); }}
}}, 100);
</script>""",
        height=1,
    )
