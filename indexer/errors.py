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
    """An index exists but was built differently: `kind` is "model" (then `built_with` and `asked` name the
    models), "versions" (normaliser/chunker), "format" (then `built_with` and `asked` are the index's format
    and this code's) or "fields" (the manifest has fields this code does not know; `built_with` names them)."""

    def __init__(self, detail: str, kind: str = "", built_with: str = "", asked: str = "") -> None:
        super().__init__(detail)
        self.kind = kind
        self.built_with = built_with
        self.asked = asked


class IndexMissing(IndexerError):
    """No index exists at the given place."""


class IndexCorrupt(IndexerError):
    """An index file is missing, damaged or not covered by its recorded checksum. `problems` lists
    (kind, file) pairs; kinds: "missing", "mismatch" (checksum), "unlisted" (no checksum recorded),
    "damaged" (cannot be parsed), "pointer" (CURRENT names a generation without a manifest)."""

    def __init__(self, detail: str, problems: list[tuple[str, str]] | None = None) -> None:
        super().__init__(detail)
        self.problems = problems or []


class BuildLocked(IndexerError):
    """Another build holds the index lock."""


class SettingError(IndexerError, ValueError):
    """A setting (environment variable or argument) has a value that cannot be used; the text says which."""
