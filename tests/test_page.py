"""The page (#15): in a real headless Chromium (Debian's, driven by its chromedriver),
served by the running service, and as `summarizer view` writes it. Screenshots are kept in
test-artifacts/."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from summarizer import Article, Summarizer
from tests.conftest import FaultServer, Reply, completion
from tests.test_service import FAST, Running

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not (CHROMIUM and DRIVER):
        if os.environ.get("CI") == "true":
            pytest.fail("chromium and chromedriver are missing: .ci/run installs them")
        pytest.skip("chromium and chromedriver are not installed (apt-get install chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                 "--window-size=1400,1000"):  # fmt: skip
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=options)
    driver.set_page_load_timeout(30)
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(condition: Any, seconds: float = 20) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("the page did not get there in time")


def _click_claim_and_see_its_sentence(driver: Any) -> list[str]:
    from selenium.webdriver.common.by import By

    claim = driver.find_element(By.XPATH, "//h3[text()='Who said what']/following-sibling::ul/li")
    claim.click()
    lit = driver.find_elements(By.CSS_SELECTOR, ".sentence.hl")
    return [node.get_attribute("id") for node in lit]


def test_paste_the_seed_see_the_brief_click_a_claim(
    browser: Any, seed_text: str, valid_summary_json: str, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    text = Article.from_text(seed_text).text
    with FaultServer() as backend:
        backend.script = [Reply(200, completion(valid_summary_json))]
        summarizer = Summarizer(base_url=backend.base_url, model="m", cache_dir=tmp_path,
                                retry=FAST, context_window=32768)  # fmt: skip
        with Running(summarizer) as app:
            browser.get(app.url + "/")
            timings = []
            for _ in range(2):  # the second time, the article is cached
                browser.execute_script("document.getElementById('text').value = arguments[0];"
                                       "delete document.body.dataset.briefMs;", text)  # fmt: skip
                browser.find_element(By.ID, "go").click()
                _wait(lambda: browser.execute_script("return document.body.dataset.briefMs"))
                ms = browser.execute_script("return document.body.dataset.briefMs")
                timings.append(float(ms))
            title = browser.find_element(By.CSS_SELECTOR, "#brief h2").text
            lit = _click_claim_and_see_its_sentence(browser)
            browser.save_screenshot(str(ARTIFACTS / "page-served-claim-clicked.png"))
    assert title.startswith(json.loads(valid_summary_json)["title"])
    claim = json.loads(valid_summary_json)["claims"][0]
    assert lit == [f"S{i}" for i in claim["sentences"]]
    assert len(browser.find_elements(By.CSS_SELECTOR, "#article .sentence")) == 14
    assert len(backend.requests) == 1  # the second brief came from the cache
    print(f"paste to brief: {timings[0]:.0f} ms, cached {timings[1]:.0f} ms")


def test_the_page_makes_and_shows_a_brief_of_a_users_schema(
    browser: Any, seed_text: str, tmp_path: Path
) -> None:
    """A service that serves a user's brief offers it in a choice; the page shows any
    schema's fields, by their kinds (#25)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from summarizer import Settings
    from tests.test_brief import ANSWER, SPEC

    text = Article.from_text(seed_text).text
    with FaultServer() as backend:
        backend.script = [Reply(200, completion(json.dumps(ANSWER)))]
        settings = Settings.load(base_url=backend.base_url, model="m", cache_dir=tmp_path,
                                 retry=FAST, context_window=32768,
                                 schemas={"factcheck": SPEC})  # fmt: skip
        with Running(Summarizer(settings=settings)) as app:
            browser.get(app.url + "/")
            _wait(lambda: browser.find_element(By.ID, "schema-choice").is_displayed())
            Select(browser.find_element(By.ID, "schema")).select_by_visible_text("factcheck")
            browser.execute_script("document.getElementById('text').value = arguments[0];"
                                   "delete document.body.dataset.briefMs;", text)  # fmt: skip
            browser.find_element(By.ID, "go").click()
            _wait(lambda: browser.execute_script("return document.body.dataset.briefMs"))
            headline = browser.find_element(By.CSS_SELECTOR, "#brief h2").text
            quote = browser.find_element(By.XPATH, "//h3[text()='Quotes']/following-sibling::ul/li")
            quote_text = quote.text
            quote.click()
            lit = [
                n.get_attribute("id")
                for n in browser.find_elements(By.CSS_SELECTOR, ".sentence.hl")
            ]
            tags = browser.find_element(By.XPATH, "//p[strong[text()='Tags ']]").text
            browser.save_screenshot(str(ARTIFACTS / "page-served-users-brief.png"))
    assert headline == ANSWER["headline"]
    assert quote_text.startswith("Hamas: \u201cunified national Palestinian framework\u201d")
    assert lit == ["S5"]
    assert tags == "Tags Gaza, Egypt"
    assert backend.requests[0]["json"]["response_format"]["json_schema"]["name"] == "FactCheck"


def test_unsupported_parts_are_marked_and_errors_said(
    browser: Any, seed_text: str, valid_summary_json: str, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    with FaultServer() as backend:
        backend.script = [Reply(500)]
        summarizer = Summarizer(base_url=backend.base_url, model="m", cache=False, retry=FAST,
                                context_window=32768)  # fmt: skip
        with Running(summarizer) as app:
            browser.get(app.url + "/")
            browser.find_element(By.ID, "go").click()
            assert "paste an article" in browser.find_element(By.ID, "status").text
            browser.execute_script("document.getElementById('text').value = arguments[0]",
                                   Article.from_text(seed_text).text)  # fmt: skip
            browser.find_element(By.ID, "go").click()
            status = _wait(lambda: "error" in (browser.find_element(By.ID, "status")
                                               .get_attribute("class") or "")
                           and browser.find_element(By.ID, "status").text)  # fmt: skip
    assert "HTTP 500" in status or "500" in status


def test_view_writes_one_page_that_works_from_disk(
    browser: Any, seed_text: str, valid_summary_json: str, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By
    from typer.testing import CliRunner

    from summarizer.cli import app

    with FaultServer() as backend:
        backend.script = [Reply(200, completion(valid_summary_json))]
        with Summarizer(base_url=backend.base_url, model="m", cache=False, retry=FAST) as s:
            result = s.summarize(seed_text)
    data = json.loads(result.model_dump_json())
    # Text that could pass for markup must stay text in the page.
    data["summary"]["title"] = "Egypt </script><script>window.pwned=1</script>"
    # "<!--<script>" in the data would swallow the page's own script (#21): a blank page.
    data["summary"]["tldr"] = "Egypt <!--<script> leads & more > less."
    saved = tmp_path / "result.json"
    saved.write_text(json.dumps(data))
    article = tmp_path / "seed.txt"
    article.write_text(seed_text)
    page = tmp_path / "p.html"
    run = CliRunner().invoke(app, ["view", str(saved), str(article), "-o", str(page)])
    assert run.exit_code == 0, run.output
    browser.get(page.as_uri())
    assert not browser.find_element(By.ID, "input").is_displayed()
    assert browser.find_element(By.CSS_SELECTOR, "#brief h2").text == data["summary"]["title"]
    assert browser.execute_script("return window.pwned") is None
    assert data["summary"]["tldr"] in browser.find_element(By.ID, "brief").text
    key_point = browser.find_element(By.CSS_SELECTOR, "#brief li[data-key='key_points:2']")
    key_point.click()
    lit = [n.get_attribute("id") for n in browser.find_elements(By.CSS_SELECTOR, ".sentence.hl")]
    browser.save_screenshot(str(ARTIFACTS / "view-key-point-clicked.png"))
    assert lit == [f"S{i}" for i in result.brief.key_points[1].sentences]


def test_view_refuses_what_is_not_a_result(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from summarizer.cli import app

    bad = tmp_path / "bad.json"
    bad.write_text('{"title": "no"}')
    run = CliRunner().invoke(app, ["view", str(bad)])
    assert run.exit_code == 2
    assert run.stderr.startswith(f"summarizer: {bad}: not a summarizer result (")
