"""The real server in headless Chromium: ask the example question, read the page, save a screenshot."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from .conftest import CORPUS, ROOT

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
EXAMPLE = "what is the required share of women in the standing committee"
ITEM4 = "Công văn 1539-CV/TU, Thành ủy Hải Phòng, 01/11/2024, mục 4"
ARTIFACTS = ROOT / "tests" / "artifacts"

if not (os.path.exists(CHROMIUM) and os.path.exists(DRIVER)) and not os.environ.get("CI"):
    pytest.skip("Debian chromium and chromium-driver are not installed (.ci/run installs them)", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def server(tmp_path, seed_index):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    index = tmp_path / "index"
    shutil.copytree(seed_index, index)
    port = free_port()
    env = dict(os.environ, VNDS_CORPUS=str(corpus), VNDS_INDEX=str(index), PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                time.sleep(0.5)
        else:
            raise AssertionError("streamlit did not start")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--window-size=1400,1800", f"--user-data-dir={tmp_path / 'chrome'}"):
        opts.add_argument(flag)
    return webdriver.Chrome(service=Service(DRIVER), options=opts)


def test_ask_page_in_chromium(server, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser(tmp_path)
    try:
        driver.get(server)
        wait = WebDriverWait(driver, 180)
        box = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "input[aria-label='Câu hỏi']")))
        box.send_keys(EXAMPLE + Keys.ENTER)
        wait.until(lambda d: ITEM4 in d.find_element(By.TAG_NAME, "body").text)
        time.sleep(1.0)
        body = driver.find_element(By.TAG_NAME, "body").text
        assert "Câu trả lời" in body
        assert "cán bộ nữ tham gia cấp ủy bảo đảm tỷ lệ" in body
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / "ask-page.png"
        assert driver.save_screenshot(str(shot))
        assert shot.stat().st_size > 10_000
    finally:
        driver.quit()
