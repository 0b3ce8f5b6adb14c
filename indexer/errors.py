"""Domain exceptions of the indexer; the CLI and the app turn them into user text."""


class IndexerError(Exception):
    """Base class of every error the indexer reports to its callers."""


class ReadError(IndexerError):
    """A corpus file could not be read: `code` says why (empty, corrupt, encrypted, ...)."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


class NeedsOCR(ReadError):
    """A PDF has no text layer."""


class CorpusError(IndexerError):
    """The corpus folder is missing or holds no readable document."""


class IndexMismatch(IndexerError):
    """An index exists but was built differently (another model, normaliser or format)."""


class IndexMissing(IndexerError):
    """No index exists at the given place."""


class IndexCorrupt(IndexerError):
    """An index file is missing or does not match its recorded checksum."""


class BuildLocked(IndexerError):
    """Another build holds the index lock."""
