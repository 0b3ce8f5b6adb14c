"""Settings that only the command line and the app apply: offline hub, quiet library logs."""

from __future__ import annotations

import logging
import os
import warnings


def quiet_libraries() -> None:
    """Offline model hub, no library progress bars or load reports on the user's screen."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    warnings.filterwarnings("ignore")
    for name in ("transformers", "sentence_transformers", "huggingface_hub", "trafilatura", "pypdf"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        import transformers

        transformers.logging.set_verbosity_error()
        transformers.logging.disable_progress_bar()
    except ImportError:
        pass
