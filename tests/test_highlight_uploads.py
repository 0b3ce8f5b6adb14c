import pytest

from indexer.uploads import UploadRejected, safe_filename, save_upload
from retrieval.highlight import highlight_html


def test_highlight_escapes_before_marking():
    text = "Đoạn mã <script>alert(1)</script> và cán bộ nữ"
    out = highlight_html(text, {"can", "bo", "nu", "script"})
    assert "<script>" not in out
    assert out == ("Đoạn mã &lt;<mark>script</mark>&gt;alert(1)&lt;/<mark>script</mark>&gt; và "
                   "<mark>cán</mark> <mark>bộ</mark> <mark>nữ</mark>")


def test_highlight_answer_span_and_newlines():
    text = "Câu một.\nCâu hai & ba."
    out = highlight_html(text, set(), (9, len(text)))
    assert out == 'Câu một.<br><span class="answer">Câu hai &amp; ba.</span>'


@pytest.mark.parametrize(
    "name, safe",
    [
        ("../../x.txt", "x.txt"),
        ("..\\..\\windows\\evil.DOCX", "evil.docx"),
        ("/etc/passwd.txt", "passwd.txt"),
        (".hidden.pdf", "hidden.pdf"),
        ("Công văn 1539 (bản sửa).pdf", "Công văn 1539 (bản sửa).pdf"),
        ("a;rm -rf $HOME|.txt", "a_rm -rf _HOME_.txt"),
        ("tab\tnew\nline.md", "tabnewline.md"),
        ("....txt", "tai-lieu.txt"),
    ],
)
def test_safe_filename(name, safe):
    assert safe_filename(name) == safe


def test_save_upload_never_overwrites(tmp_path):
    first = save_upload(tmp_path, "cv.txt", b"noi dung 1")
    same = save_upload(tmp_path, "cv.txt", b"noi dung 1")
    other = save_upload(tmp_path, "../cv.txt", b"noi dung 2")
    assert (first.source, first.renamed, first.existed) == ("cv.txt", False, False)
    assert (same.source, same.existed) == ("cv.txt", True)
    assert (other.source, other.renamed) == ("cv (2).txt", True)
    assert (tmp_path / "cv.txt").read_bytes() == b"noi dung 1"
    assert (tmp_path / "cv (2).txt").read_bytes() == b"noi dung 2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cv (2).txt", "cv.txt"]


def test_save_upload_rejections(tmp_path):
    with pytest.raises(UploadRejected, match="too_large"):
        save_upload(tmp_path, "big.txt", b"x" * 11, max_bytes=10)
    with pytest.raises(UploadRejected, match="unsupported"):
        save_upload(tmp_path, "virus.exe", b"MZ")
    with pytest.raises(UploadRejected, match="empty"):
        save_upload(tmp_path, "rong.txt", b"")
    assert list(tmp_path.iterdir()) == []
