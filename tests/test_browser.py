"""The real server in headless Chromium: log in through the form, ask the example question, read the page,
save a screenshot; without users on a network address the server refuses and stops."""

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from .conftest import CORPUS, ROOT, TEST_PASSWORD

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


def start(tmp_path, address: str) -> tuple[subprocess.Popen, str]:
    """`streamlit run app.py` on a free port, bound to `address`, with the test's own corpus, index and users."""
    port = free_port()
    env = dict(os.environ, VNDS_CORPUS=str(tmp_path / "corpus"), VNDS_INDEX=str(tmp_path / "index"),
               PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
         "--server.address", address, "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.5)
    stop(proc)
    raise AssertionError("streamlit did not start")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture()
def server(tmp_path, seed_index):
    from access.store import UserStore

    shutil.copytree(CORPUS, tmp_path / "corpus")
    shutil.copytree(seed_index, tmp_path / "index")
    UserStore().add("lan", TEST_PASSWORD, "reader")
    proc, url = start(tmp_path, "127.0.0.1")
    try:
        yield url
    finally:
        stop(proc)


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


def test_login_and_ask_page_in_chromium(server, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    driver = browser(tmp_path)
    try:
        driver.get(server)
        wait = WebDriverWait(driver, 180)
        name = wait.until(ec.element_to_be_clickable((By.CSS_SELECTOR, "input[aria-label='Tên đăng nhập']")))
        body = driver.find_element(By.TAG_NAME, "body").text
        assert "Câu hỏi" not in body and "Hỏi đáp" not in body  # only the login form before logging in
        name.send_keys("lan")
        driver.find_element(By.CSS_SELECTOR, "input[aria-label='Mật khẩu']").send_keys(TEST_PASSWORD)
        driver.find_element(By.XPATH, "//button[contains(., 'Đăng nhập')]").click()
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


def test_network_address_without_users_refuses_and_stops(tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    (tmp_path / "corpus").mkdir()
    proc, url = start(tmp_path, "0.0.0.0")
    driver = browser(tmp_path)
    try:
        driver.get(url)
        WebDriverWait(driver, 120).until(lambda d: "Chưa có người dùng" in d.find_element(By.TAG_NAME, "body").text)
        body = driver.find_element(By.TAG_NAME, "body").text
        assert "users --state" in body and "add quantri --role admin" in body
        assert "Tên đăng nhập" not in body
        output = proc.communicate(timeout=30)[0].decode("utf-8")  # the server stops by itself
    finally:
        driver.quit()
        if proc.poll() is None:
            stop(proc)
    assert "Chưa có người dùng nào nên bàn tra cứu không phục vụ trên địa chỉ mạng (0.0.0.0)" in output
    assert f".venv/bin/python -m indexer users --state {tmp_path / 'state'} add quantri --role admin" in output
    assert not (tmp_path / "index").exists()
