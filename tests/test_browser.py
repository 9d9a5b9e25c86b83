"""What a person sees, in a real headless Chromium: the query page's results table, a document's transcript."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="needs Debian's chromium and chromium-driver (.ci/run installs them with apt-get)",
)


@pytest.fixture(scope="module")
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def plain_browser():
    """A headless Chromium with JavaScript turned off: what a reader without scripts gets."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def follow(browser, element) -> None:
    """Click a link or button and wait until the browser has loaded the page it leads to."""
    from selenium.webdriver.support.ui import WebDriverWait

    before = browser.current_url
    element.click()
    WebDriverWait(browser, 10).until(
        lambda b: b.current_url != before and b.execute_script("return document.readyState") == "complete")


def test_query_page_without_javascript_is_a_form_that_shows_a_table(server, plain_browser) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    url, _ = server
    browser = plain_browser
    browser.get(f"{url}/sparql")
    assert browser.find_element(By.ID, "query-form").is_displayed()  # no editor without scripts: today's form
    assert not browser.find_element(By.ID, "editor").is_displayed()
    example = next(o for o in Select(browser.find_element(By.ID, "examples")).options
                   if o.text == "Who spoke with a person, and where")
    browser.find_element(By.ID, "query").clear()  # a person copies the example in (the picker needs a script)
    browser.find_element(By.ID, "query").send_keys(example.get_attribute("value"))
    assert "Mao Zedong" in browser.find_element(By.ID, "query").get_attribute("value")
    follow(browser, browser.find_element(By.ID, "run"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#results tbody tr")
    assert len(rows) == 1 and "Beqir Balluku" in rows[0].text
    link = rows[0].find_element(By.CSS_SELECTOR, "a")
    follow(browser, link)  # the result links to the person's page
    assert "Beqir Balluku" in browser.find_element(By.TAG_NAME, "h1").text


def test_document_page_shows_the_transcript(server, browser) -> None:
    from selenium.webdriver.common.by import By

    url, _ = server
    browser.get(f"{url}/id/document/111239")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Conversation Between Mao Zedong and Beqir Balluku"
    turns = browser.find_elements(By.CSS_SELECTOR, "#transcript p.turn")
    assert len(turns) == 28
    assert turns[21].text.startswith("Beqir Balluku: We have intelligence reports")


def test_person_page_lists_documents_utterances_claims_and_mentions(server, browser) -> None:
    from selenium.webdriver.common.by import By

    url, _ = server
    browser.get(f"{url}/id/person/beqir-balluku")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Beqir Balluku"
    assert len(browser.find_elements(By.CSS_SELECTOR, "#utterances li")) == 14
    claims = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#claims li")]
    assert any("nine to ten airborne divisions" in c for c in claims)
    assert "Conversation Between Mao Zedong and Beqir Balluku" in browser.page_source
    browser.get(f"{url}/id/person/josip-broz-tito")  # mentioned, never speaking
    assert "Mentioned in" in browser.page_source and not browser.find_elements(By.CSS_SELECTOR, "#utterances li")


def test_transcript_links_mentions_and_marks_claims(server, browser) -> None:
    from selenium.webdriver.common.by import By

    url, _ = server
    browser.get(f"{url}/id/document/111239")
    turn = browser.find_elements(By.CSS_SELECTOR, "#transcript p.turn")[21]
    claims = [m.text for m in turn.find_elements(By.CSS_SELECTOR, "mark.claim")]
    assert "The Italian ambassador to Bulgaria revealed to us that the Soviet Union has nine to ten airborne divisions in Bulgaria." in claims
    links = {a.text: a.get_attribute("href") for a in turn.find_elements(By.CSS_SELECTOR, "a.mention")}
    assert links["Soviet Union"].endswith("/id/place/soviet-union")
    assert turn.text == "Beqir Balluku: " + (
        "We have intelligence reports to prove that Soviet troops are stationed on Bulgarian territory. "
        "The Italian ambassador to Bulgaria revealed to us that the Soviet Union has nine to ten airborne divisions in Bulgaria.")
    follow(browser, browser.find_element(By.LINK_TEXT, "Tito"))  # follow a mention to its page
    assert browser.find_element(By.TAG_NAME, "h1").text == "Josip Broz Tito"
