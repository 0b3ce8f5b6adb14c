"""A long-running holder of the loaded index: answers from the loaded generation, loads a newer one in
the background when a build has switched generations, and swaps it in without a restart."""

from __future__ import annotations

import threading
from pathlib import Path

from indexer import store
from indexer.embed import Embedder
from indexer.errors import IndexerError

from .cards import catalogue_of
from .chain import chain_of
from .index import SearchIndex, load_index


class IndexHolder:
    """The index a service answers from; `current()` is cheap (one small file read per call)."""

    def __init__(self, index_dir: Path, model: str | None = None, embedder: Embedder | None = None) -> None:
        self.index_dir = Path(index_dir)
        self._index = _ready(load_index(self.index_dir, model=model, embedder=embedder))
        self.embedder = self._index.embedder  # shared by every generation this holder loads
        self.embedder.warm_up()  # load what a query needs now, not on the first question
        _ = self.embedder.model  # answers embed candidate clauses with the full model
        self._lock = threading.Lock()
        self._loading: threading.Thread | None = None
        self._failed: str | None = None  # a generation that could not be loaded is not retried
        self.last_error: Exception | None = None

    @property
    def loading(self) -> bool:
        """True while a newer generation is being loaded."""
        thread = self._loading
        return thread is not None and thread.is_alive()

    def current(self) -> SearchIndex:
        """The loaded index; starts loading a newer generation in the background when there is one."""
        index = self._index
        if index.is_stale() and not self.loading:
            with self._lock:
                if not self.loading and self._index.is_stale() and self._pointer() != self._failed:
                    self._loading = threading.Thread(target=self._reload, name="index-reload", daemon=True)
                    self._loading.start()
        return index

    @property
    def reload_error(self) -> Exception | None:
        """Why the generation the index folder points at now could not be loaded (None: no such failure)."""
        error, failed = self.last_error, self._failed
        return error if error is not None and failed is not None and failed == self._pointer() else None

    def wait(self, timeout: float | None = None) -> None:
        """Block until a reload in progress has finished (tests, shutdown)."""
        thread = self._loading
        if thread is not None:
            thread.join(timeout)

    def _pointer(self) -> str | None:
        try:
            return store.current_generation(self.index_dir).name
        except IndexerError:
            return None

    def _reload(self) -> None:
        wanted = self._pointer()
        try:
            fresh = _ready(load_index(self.index_dir, embedder=self.embedder))
        except Exception as exc:  # a damaged generation: keep serving the loaded one
            self._failed, self.last_error = wanted, exc
            return
        self._failed, self.last_error = None, None
        self._index = fresh


def _ready(index: SearchIndex) -> SearchIndex:
    """The index with its document catalogue and ranking chain made, so that no request waits for them."""
    catalogue_of(index)
    chain_of(index)
    return index
