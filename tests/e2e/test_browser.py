"""The playground in a real headless browser (Debian's chromium, driven by selenium).

Clicks as a person would: types /start, picks English, agrees, answers the profile
and the first ratings, and sees the next question appear in the chat.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.playground import Playground

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _browser_missing() -> str | None:
    if not CHROMIUM.exists() or not (CHROMEDRIVER.exists() or shutil.which("chromedriver")):
        return "chromium and chromium-driver are not installed (run .ci/install-browser)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[dev]')"
    return None


@pytest.fixture
def browser() -> Iterator[Any]:
    missing = _browser_missing()
    if missing:
        if IN_CI:
            pytest.fail(f"CI must run the browser test: {missing}")
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-gpu",
        "--disable-quic",
        "--window-size=480,900",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(
        service=Service(
            str(CHROMEDRIVER if CHROMEDRIVER.exists() else shutil.which("chromedriver"))
        ),
        options=options,
    )
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def playground(tmp_path: Path) -> Iterator[Playground]:
    running = Playground(tmp_path)
    yield running
    running.stop()


# The current question: the last inline keyboard in the chat and the message above it.
LIVE = """
const boards = document.querySelectorAll('#chat .keyboard');
const board = boards[boards.length - 1];
if (!board) return null;
const message = document.querySelector(`#chat .msg.bot[data-message-id="${board.dataset.messageId}"]`);
return {text: message ? message.innerText : '', buttons: [...board.querySelectorAll('button')].map(b => b.innerText)};
"""


class ChatPage:
    def __init__(self, driver: Any) -> None:
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver = driver
        self.wait = WebDriverWait(driver, 20, poll_frequency=0.05)

    def live(self) -> dict[str, Any] | None:
        return self.driver.execute_script(LIVE)

    def until(self, condition: Any, what: str) -> Any:
        from selenium.common.exceptions import TimeoutException

        try:
            return self.wait.until(lambda _driver: condition(self.live()))
        except TimeoutException:
            raise AssertionError(f"{what}; the chat shows {self.live()}") from None

    def type(self, text: str) -> None:
        from selenium.webdriver.common.by import By

        box = self.driver.find_element(By.ID, "text")
        box.send_keys(text)
        self.driver.find_element(By.ID, "send").click()

    def click(self, label: str | None = None, index: int = 0) -> dict[str, Any]:
        """Click a button of the current question (by its label, or the index-th one)."""
        from selenium.common.exceptions import StaleElementReferenceException
        from selenium.webdriver.common.by import By

        before = self.live()
        for _attempt in range(20):  # the chat re-renders on every change
            try:
                buttons = self.driver.find_elements(By.CSS_SELECTOR, "#chat .keyboard")[
                    -1
                ].find_elements(By.TAG_NAME, "button")
                button = next(b for b in buttons if b.text == label) if label else buttons[index]
                button.click()
                break
            except StaleElementReferenceException:
                continue
        return self.until(
            lambda live: live if live is not None and live != before else None,
            f"nothing changed after clicking {label or index}",
        )


def test_a_coordinator_answers_in_the_browser(browser: Any, playground: Playground) -> None:
    browser.get(playground.url)
    page = ChatPage(browser)
    page.until(
        lambda _live: browser.execute_script("return !!document.getElementById('text')"), "no page"
    )
    page.type("/start")
    page.until(lambda live: live and "English" in live["buttons"], "no language choice")
    consent = page.click("English")
    assert "I agree" in consent["buttons"]
    question = page.click("I agree")
    assert "About you (1/5)" in question["text"] and "Choose all that apply" in question["text"]
    # Youth (the first choice, Children, would wait for a guardian's consent)...
    question = page.click(index=1)
    assert question["buttons"][1].startswith("✓")
    question = page.click(index=len(question["buttons"]) - 2)  # ...then Continue
    for number in range(2, 6):
        assert f"About you ({number}/5)" in question["text"], question
        question = page.click(index=1 if number == 4 else 0)  # 16-30, not under 16
    assert "Goal 1 of 6 · 1 of 69" in question["text"]
    assert "1 Not true" in question["text"] and "5 Completely true" in question["text"]
    assert question["buttons"][:6] == ["2026:", "1", "2", "3", "4", "5"]
    assert "? Don't know (2026)" in question["buttons"]  # said in words when read aloud
    question = page.click(index=3)  # 3 for now (2026)
    assert "Goal 1 of 6 · 1 of 69" in question["text"] and "✓3" in question["buttons"]
    question = page.click(index=10)  # 4 for 2030
    assert "Goal 1 of 6 · 2 of 69" in question["text"], question
    assert "Traceback" not in playground.errors()


def test_the_guardian_opens_the_childs_link_as_a_second_person(
    browser: Any, playground: Playground
) -> None:
    """In Telegram the child forwards the link and the adult opens it in their own
    chat; in the playground, clicking it does that as a second person."""
    from selenium.webdriver.common.by import By

    browser.get(playground.url)
    page = ChatPage(browser)
    page.until(
        lambda _live: browser.execute_script("return !!document.getElementById('text')"), "no page"
    )
    page.type("/start")
    page.until(lambda live: live and "English" in live["buttons"], "no language choice")
    page.click("English")
    page.click("I agree")
    question = page.click("Children")
    page.click(index=next(i for i, b in enumerate(question["buttons"]) if b.startswith("Continue")))
    links = page.until(
        lambda _live: browser.find_elements(By.CSS_SELECTOR, "#chat a.deep-link"),
        "no clickable guardian link",
    )
    child = browser.execute_script("return localStorage.getItem('localbotapi.user')")
    assert "?start=g" in links[-1].get_attribute("href")
    links[-1].click()
    # The guardian's own chat: another user, who reads the consent asked of an adult.
    page.until(
        lambda live: live and "Do you agree that your child takes part?" in live["text"],
        "the guardian's consent did not open",
    )
    adult = browser.execute_script("return localStorage.getItem('localbotapi.user')")
    assert adult != child
    stamps = browser.execute_script(
        "return [...document.querySelectorAll('#chat .meta')].map(e => e.textContent)"
    )
    assert stamps and all(re.fullmatch(r"(edited )?\d{2}:\d{2}", s) for s in stamps), stamps
    assert "Traceback" not in playground.errors()
