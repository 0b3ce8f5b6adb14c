"""The on-disk index schema is spelled in one module (indexer/layout.py): no other module of the packages names
a lexical field, an analyzer, a key prefix of document numbers or an index file, or talks to tantivy itself."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from indexer import layout

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("indexer", "retrieval", "deskui", "access", "app.py", "bench")
FACADE = ROOT / "indexer" / "layout.py"

FIELDS = {"text_vi", "text_fold", "head_fold", "pair_fold", "vi_syllable", "vi_fold", "vi_pair"}
FILES = {layout.POINTER, layout.MANIFEST, layout.CHUNKS, layout.DOCUMENTS, layout.VECTORS, layout.VOCAB,
         layout.VOCAB_COUNTS}
KEY_PREFIXES = ("OWN", "T")  # own-number prefix, textual reference prefix
SEARCHER_CALLS = {"searcher", "terms_with_prefix", "fast_field_values", "term_query", "boolean_query"}  # tantivy's own


def violations(source: str) -> list[str]:
    """What in one module's source spells the index schema: "line: what" for each."""
    out = []
    for node in ast.walk(ast.parse(source)):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value in FIELDS:
                out.append(f"{line}: field {node.value!r}")
            elif node.value in FILES:
                out.append(f"{line}: file name {node.value!r}")
            elif node.value == "OWN" or _is_own_key(node.value):
                out.append(f"{line}: own-number key {node.value!r}")
        elif isinstance(node, ast.JoinedStr) and node.values:  # f"T{key}{n}", f"OWN{key}"
            first = node.values[0]
            if isinstance(first, ast.Constant) and first.value in KEY_PREFIXES and len(node.values) > 1:
                out.append(f"{line}: key prefix {first.value!r} in an f-string")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):  # "T" + key, "OWN" + key
            if isinstance(node.left, ast.Constant) and node.left.value in KEY_PREFIXES:
                out.append(f"{line}: key prefix {node.left.value!r} + ...")
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            if any(n.split(".")[0] == "tantivy" for n in names):
                out.append(f"{line}: imports tantivy")
        elif isinstance(node, ast.Attribute) and node.attr in SEARCHER_CALLS:
            out.append(f"{line}: tantivy call .{node.attr}")
    return out


def _is_own_key(s: str) -> bool:
    rest = s[3:]
    return s.startswith("OWN") and rest.isalnum() and rest.isupper() and any(c.isdigit() for c in rest)


@pytest.mark.parametrize("source, found", [
    ('index.searcher.doc_freq("text_fold", t)', ["1: field 'text_fold'", "1: tantivy call .searcher"]),
    ('terms = ["OWN" + k for k in keys]', ["1: key prefix 'OWN' + ...", "1: own-number key 'OWN'"]),
    ('key = "OWN11NQTW"', ["1: own-number key 'OWN11NQTW'"]),
    ('PREFIX = "OWN"', ["1: own-number key 'OWN'"]),
    ('textual = f"T{abbr}{n}"', ["1: key prefix 'T' in an f-string"]),
    ('return "T" + number_key(abbr)', ["1: key prefix 'T' + ..."]),
    ('import tantivy', ["1: imports tantivy"]),
    ('p = gen / "manifest.json"', ["1: file name 'manifest.json'"]),
    ('q = tantivy.Query.term_query(schema, f, t)', ["1: tantivy call .term_query"]),
    # ordinary words and Vietnamese text are not the schema
    ('msg = f"Tệp {name}"; own = "OWNER"; t = "Thông tư " + n; s = "lexical"', []),
    ('x = index.lexical.bm25(layout.FOLDED, tokens, 10) + index.lexical.doc_freq(layout.FOLDED, t)', []),
])
def test_violations_table(source, found):
    assert violations(source) == found


def _modules() -> list[Path]:
    out = []
    for name in PACKAGES:
        path = ROOT / name
        out += [path] if path.is_file() else sorted(path.rglob("*.py"))
    return [p for p in out if p != FACADE]


def test_only_the_facade_spells_the_index_schema():
    modules = _modules()
    assert len(modules) > 40  # the packages were found
    found = {str(p.relative_to(ROOT)): v for p in modules if (v := violations(p.read_text(encoding="utf-8")))}
    assert found == {}


def test_the_facade_itself_spells_them():
    own = violations(FACADE.read_text(encoding="utf-8"))
    assert any("field 'text_fold'" in v for v in own) and any("imports tantivy" in v for v in own)


def test_key_encodings():
    assert layout.own_key("11NQTW") == "OWN11NQTW"
    assert layout.textual_key("QD", 217) == "TQD217"
    assert layout.pair_terms(["can", "bo", "nu"]) == ["can_bo", "bo_nu"]
    assert layout.pair_terms(["mot"]) == []


def test_lexical_index_round_trip(tmp_path):
    """Index, save, load and every search verb on three real-looking chunks."""
    lex = layout.LexicalIndex.create(tmp_path / "lexical")
    lex.index(1, "a", "Tỷ lệ cán bộ nữ trong Ban Thường vụ", "Công văn 1539-CV/TU", [layout.own_key("1539CVTU")])
    lex.index(2, "b", "Thực hiện Công văn 1539-CV/TU về cán bộ", "Kế hoạch 12-KH/TU", ["1539CVTU", "TQD217"])
    lex.index(3, "c", "bộ cán, nữ", "", [])
    lex.save()
    lex = layout.LexicalIndex.load(tmp_path / "lexical")
    assert lex.num_docs == 3
    assert lex.doc_freq(layout.FOLDED, "can") == 3 and lex.doc_freq(layout.ACCENTED, "cán") == 3
    assert lex.bm25(layout.FOLDED, ["can", "bo", "nu"], 10, pair_boost=None)[0] in (1, 3)
    assert lex.bm25(layout.FOLDED, ["can", "bo", "nu"], 10, pair_boost=0.5)[0] == 1  # words side by side
    assert lex.bm25(layout.FOLDED, ["ke", "hoach"], 10, header_boost=0.3) == [2]  # words of the header only
    assert lex.bm25(layout.FOLDED, ["can"], 0) == [] and lex.bm25(layout.FOLDED, ["", ""], 5) == []
    assert sorted(lex.pair_chunks("can_bo", 10)) == [1, 2]
    assert lex.pair_chunks("bo_can", 10) == [3]
    assert lex.number_chunks(["1539CVTU"], own=True) == [1]
    assert lex.number_chunks(["1539CVTU"], own=False) == [2]
    assert lex.number_keys(["1539"]) == ["1539CVTU", "1539CVTU"]
    assert lex.has_number_key("TQD217") and not lex.has_number_key("TQD218")
    with pytest.raises(ValueError, match="field: expected one of text_vi, text_fold"):
        lex.bm25("numbers", ["1539CVTU"], 10)
    with pytest.raises(ValueError):
        layout.LexicalIndex.load(tmp_path / "nothing")
