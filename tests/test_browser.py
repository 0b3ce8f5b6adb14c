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


HOSTILE_NAME = "thong_bao_a_*b*.txt"
HOSTILE_TITLE = "Thông báo [Đăng nhập lại hệ thống tại đây](https://evil.example/login) _a_ *b* <script>alert(1)</script>"


@pytest.fixture()
def desk_server(tmp_path, desk_docs_index, embedder):
    """The seeds, the fictional replaced/replacing directives, and a document whose title is Markdown."""
    from access.store import UserStore
    from indexer.build import build_index

    corpus = tmp_path / "corpus"
    shutil.copytree(desk_docs_index[0], corpus)
    (corpus / HOSTILE_NAME).write_text(
        HOSTILE_TITLE + "\n\nCác đơn vị rà soát hệ thống thư điện tử và báo cáo kết quả về Văn phòng trước ngày 15.\n",
        encoding="utf-8")
    shutil.copytree(desk_docs_index[1], tmp_path / "index")
    build_index(corpus, tmp_path / "index", embedder=embedder)
    UserStore().add("bien-tap", TEST_PASSWORD, "editor")
    proc, url = start(tmp_path, "127.0.0.1")
    try:
        yield url
    finally:
        stop(proc)


def log_in(driver, wait, name: str) -> None:
    """Fill the login form."""
    from selenium.webdriver.common.by import By

    wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "input[aria-label='Tên đăng nhập']")).send_keys(name)
    driver.find_element(By.CSS_SELECTOR, "input[aria-label='Mật khẩu']").send_keys(TEST_PASSWORD)
    driver.find_element(By.XPATH, "//button[contains(., 'Đăng nhập')]").click()


def shot(element, name: str) -> None:
    """A screenshot of one element under tests/artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    assert element.screenshot(str(path)) and path.stat().st_size > 5_000


def patient(driver, seconds: float = 180):
    """A wait that retries through elements replaced by a rerun."""
    from selenium.common.exceptions import (ElementNotInteractableException, NoSuchElementException,
                                            StaleElementReferenceException)
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds, ignored_exceptions=(NoSuchElementException, StaleElementReferenceException,
                                                              ElementNotInteractableException))


def sidebar_page(driver, name: str, ready_css: str):
    """Go to a page of the sidebar and return the element `ready_css` once it is drawn (the click is repeated
    if a rerun still in flight swallowed it)."""
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.common.by import By

    for _ in range(6):
        next(label for label in driver.find_elements(By.CSS_SELECTOR, "[data-testid='stSidebar'] label")
             if label.text == name).click()
        try:
            return patient(driver, 30).until(lambda d: d.find_element(By.CSS_SELECTOR, ready_css))
        except TimeoutException:
            continue
    raise AssertionError(f"page {name} did not open")


def test_card_relations_warning_and_vietnamese_widgets_in_chromium(desk_server, tmp_path):
    from urllib.parse import quote

    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver = browser(tmp_path)
    try:
        wait = patient(driver)
        body = lambda: driver.find_element(By.TAG_NAME, "body").text  # noqa: E731
        # a link with ?q= opens the page with the question asked: the card first, with its relations diagram
        driver.get(f"{desk_server}/?q={quote('Chỉ thị 05-CT/TU')}")
        log_in(driver, wait, "bien-tap")
        diagram = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "[data-testid='stGraphVizChart'] svg"))
        wait.until(lambda d: "Các đoạn liên quan" in body())
        card = driver.find_element(By.CSS_SELECTOR, ".st-key-card-ask-0")
        assert card.text.startswith("Chỉ thị 05-CT/TU\n")
        assert "Văn bản này đã được thay thế bởi Chỉ thị số 12-CT/TU ngày 05/06/2023" in card.text
        assert "Ban Thường vụ Tỉnh ủy Bình An" in card.text and "Mở văn bản" in card.text
        assert "12-CT/TU" in diagram.text and "thay thế" in diagram.text
        time.sleep(1.0)
        shot(card, "card.png")
        shot(driver.find_element(By.CSS_SELECTOR, "[data-testid='stGraphVizChart']"), "relations.png")

        # a question whose answer comes from the replaced directive: the warning above the answer
        box = driver.find_element(By.CSS_SELECTOR, "input[aria-label='Câu hỏi']")
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys("tỷ lệ cán bộ nữ trong cấp ủy không dưới 15%" + Keys.ENTER)
        wait.until(lambda d: "Câu trả lời" in body() and not d.find_elements(By.CSS_SELECTOR, ".st-key-card-ask-0"))
        warning = driver.find_element(By.CSS_SELECTOR, "[data-testid='stAlertContentWarning']")
        assert warning.text.endswith("Văn bản này đã được thay thế bởi Chỉ thị số 12-CT/TU ngày 05/06/2023 của Ban "
                                     "Thường vụ Tỉnh ủy Bình An về công tác cán bộ nữ giai đoạn 2023 - 2030.")
        copy_row = driver.find_elements(By.CSS_SELECTOR, "iframe")[0]
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", warning)
        time.sleep(0.5)
        ARTIFACTS.mkdir(exist_ok=True)
        assert driver.save_screenshot(str(ARTIFACTS / "warning.png"))
        # no English left on the Ask page: the filters' placeholders, the code blocks' hover copy icon
        placeholders = [e.get_attribute("placeholder") for e in driver.find_elements(
            By.CSS_SELECTOR, "[data-testid='stMultiSelect'] input")]
        assert placeholders == ["Chọn…", "Chọn…"]
        english_copy = driver.find_elements(By.CSS_SELECTOR, "[data-testid='stCode'] button[aria-label='Copy to clipboard']")
        assert english_copy and not any(b.is_displayed() for b in english_copy)
        driver.switch_to.frame(copy_row)  # the visible copy button says so in Vietnamese
        driver.find_element(By.TAG_NAME, "button").click()
        wait.until(lambda d: d.find_element(By.ID, "msg").text == "Đã sao chép vào bộ nhớ tạm.")
        driver.switch_to.default_content()

        # "Mở toàn văn" opens the document scrolled to the cited passage, and the way back keeps the question
        opener = next(b for b in driver.find_elements(By.TAG_NAME, "button") if b.text == "Mở toàn văn")
        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", opener)
        opener.click()
        cited = wait.until(lambda d: d.find_element(By.ID, "trich-dan"))
        wait.until(lambda d: 0 <= d.execute_script(
            "const r = arguments[0].getBoundingClientRect(); return r.top < window.innerHeight ? r.top : -1", cited))
        assert "1. Các cấp ủy đảng quan tâm quy hoạch" in cited.text  # (this small directive is one passage)
        next(b for b in driver.find_elements(By.TAG_NAME, "button") if b.text == "← Quay lại kết quả").click()
        box = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, "input[aria-label='Câu hỏi']"))
        assert box.get_attribute("value") == "tỷ lệ cán bộ nữ trong cấp ủy không dưới 15%"

        # Markdown in a title and a file name stays text; a table row opens the card
        needle = "input[aria-label^='Tìm văn bản']"
        sidebar_page(driver, "Văn bản", needle)
        wait.until(lambda d: d.find_element(By.CSS_SELECTOR, needle).send_keys("evil" + Keys.ENTER) or True)

        table = "[data-testid='stDataFrame']"
        wait.until(lambda d: d.find_element(By.CSS_SELECTOR, table).size["height"] < 120)  # the filtered table: one row
        time.sleep(1.0)
        grid = driver.find_element(By.CSS_SELECTOR, table)
        ActionChains(driver).move_to_element_with_offset(grid, -grid.size["width"] // 2 + 15,
                                                         -grid.size["height"] // 2 + 52).click().perform()
        heading = wait.until(lambda d: d.find_element(By.CSS_SELECTOR, ".st-key-card-doc h3"))
        assert heading.text.replace("\u2060", "") == HOSTILE_TITLE
        wait.until(lambda d: HOSTILE_NAME in d.find_element(By.CSS_SELECTOR, ".st-key-card-doc [data-testid='stTable']").text)
        assert not driver.find_elements(By.CSS_SELECTOR, "a[href*='evil.example'], [data-testid='stMain'] em, "
                                                         "[data-testid='stMain'] script")

        # the uploader speaks Vietnamese (Streamlit's own English words are hidden behind CSS)
        sidebar_page(driver, "Cập nhật", "[data-testid='stFileUploaderDropzone']")
        after = driver.execute_script(
            "const f = s => getComputedStyle(document.querySelector(s), '::after').content;"
            "return [f(\"[data-testid='stFileUploaderDropzone'] button [data-testid='stMarkdownContainer'] p\"),"
            "        f(\"[data-testid='stFileUploaderDropzoneInstructions'] span\")];")
        assert after == ['"Chọn tệp"', '"Tối đa 25 MB mỗi tệp • DOCX, HTM, HTML, JPEG, JPG, MD, PDF, PNG, TIF, TIFF, TXT"']
        accept = driver.find_element(By.CSS_SELECTOR, "[data-testid='stFileUploaderDropzoneInput']").get_attribute("accept")
        assert {".png", ".jpg", ".jpeg", ".tif", ".tiff"} <= set(accept.split(","))
    finally:
        driver.quit()
