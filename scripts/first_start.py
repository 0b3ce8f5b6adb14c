"""Seconds from `streamlit run app.py` to the first answered question, measured in headless Chromium.

    .venv/bin/python scripts/first_start.py [--home DIR] [--corpus corpus] [--index DIR] [--app app.py]

`--home` gives the server another HOME (an empty one has no converted model: the very first start);
`--index` an index folder (a missing one is built from the corpus on the first page view, as on a fresh
clone). The desk's users live in a temporary folder with one reader, who logs in through the form (the
time includes the login). Needs Debian's chromium and chromium-driver.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

QUESTION = "what is the required share of women in the standing committee"
READER, PASSWORD = "do-thoi-gian", "mat-khau-do-thoi-gian"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def measure(app: Path, corpus: Path, index: Path, home: Path | None) -> dict[str, float]:
    """Seconds to: the server answering, the question box on screen, the answer on screen."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    from access.store import UserStore

    port = free_port()
    state = Path(tempfile.mkdtemp(prefix="first-start-users-"))
    os.environ["VNDS_STATE_DIR"] = str(state)
    UserStore().add(READER, PASSWORD, "reader")
    env = dict(os.environ, VNDS_CORPUS=str(corpus), VNDS_INDEX=str(index),
               PYTHONPATH=str(Path(__file__).resolve().parent.parent))
    env.pop("VNDS_CACHE", None)
    if home is not None:
        env["HOME"] = str(home)
    started = time.monotonic()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=app.parent, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as profile:
        opts = webdriver.ChromeOptions()
        opts.binary_location = "/usr/bin/chromium"
        for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,1800", f"--user-data-dir={profile}"):
            opts.add_argument(flag)
        driver = None
        try:
            while True:
                try:
                    if urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2).read() == b"ok":
                        break
                except OSError:
                    time.sleep(0.2)
                if time.monotonic() - started > 600:
                    raise SystemExit("the server did not start in 10 minutes")
            out["server"] = time.monotonic() - started
            driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
            driver.get(f"http://127.0.0.1:{port}")
            wait = WebDriverWait(driver, 600, poll_frequency=0.2)
            first = wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "input[aria-label='Câu hỏi'], "
                                                                         "input[aria-label='Tên đăng nhập']"))[0]
            if first.get_attribute("aria-label") == "Tên đăng nhập":
                out["login form"] = time.monotonic() - started
                first.send_keys(READER)
                driver.find_element(By.CSS_SELECTOR, "input[aria-label='Mật khẩu']").send_keys(PASSWORD)
                driver.find_element(By.XPATH, "//button[contains(., 'Đăng nhập')]").click()
            box = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "input[aria-label='Câu hỏi']"))
            out["question box"] = time.monotonic() - started
            box.send_keys(QUESTION + Keys.ENTER)
            wait.until(lambda d: "Câu trả lời" in d.find_element(By.TAG_NAME, "body").text)
            out["answer"] = time.monotonic() - started
        finally:
            if driver is not None:
                driver.quit()
            server.terminate()
            server.wait(timeout=30)
            shutil.rmtree(state, ignore_errors=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--app", type=Path, default=Path("app.py"))
    parser.add_argument("--corpus", type=Path, default=Path("corpus"))
    parser.add_argument("--index", type=Path, default=Path("index"))
    parser.add_argument("--home", type=Path, default=None)
    args = parser.parse_args()
    times = measure(args.app.resolve(), args.corpus.resolve(), args.index.resolve(), args.home)
    print(", ".join(f"{name}: {seconds:.1f} s" for name, seconds in times.items()))


if __name__ == "__main__":
    main()
