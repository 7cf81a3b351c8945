"""Screenshots of what a respondent sees, in headless chromium, for review by eye.

Starts ``scorecard-bot playground`` on a free port, walks a respondent through
the survey in the chat page at a phone's width (390 px) and saves PNGs of each
kind of screen, in Vietnamese and English, then the guardian's screen (the
child's link clicked) and a digest album (ten more people answer first):

    python tools/screenshots.py --out shots/ [--width 390] [--language vi en]

Needs Debian's chromium and chromium-driver (``.ci/install-browser``).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.e2e.playground import Playground
from tests.e2e.test_browser import ChatPage

HAS_COMPOSER = "return !!document.getElementById('text')"


def browser(width: int) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--disable-gpu", "--disable-quic", f"--window-size={width},900",
    ):  # fmt: skip
        options.add_argument(flag)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def save_bottom(driver: Any, path: Path, settle: float = 0.4) -> None:
    """The chat scrolled to its newest message, once the page has settled."""
    time.sleep(settle)
    driver.execute_script(
        "const c = document.getElementById('chat'); c.scrollTop = c.scrollHeight;"
    )
    time.sleep(0.2)
    driver.save_screenshot(str(path))


def walk(page: ChatPage, out: Path, language: str) -> None:
    driver = page.driver

    def shot(name: str) -> None:
        save_bottom(driver, out / f"{language}-{name}.png")

    def live_values() -> list[str]:
        return driver.execute_script(
            "const b = document.querySelectorAll('#chat .keyboard');"
            "return b.length ? [...b[b.length-1].querySelectorAll('button')].map(x => x.innerText) : []"
        )

    page.type("/start")
    page.until(lambda live: live and "English" in live["buttons"], "no language choice")
    shot("01-welcome")
    page.click("Tiếng Việt" if language == "vi" else "English")
    shot("02-consent")
    page.click(index=2)  # More about this survey
    shot("02b-consent-more")
    question = page.click(index=0)  # I agree
    shot("03-group")
    page.click(index=2)  # women
    question = page.click(index=5)  # ethnic minorities
    shot("04-group-ticked")
    question = page.click(index=len(question["buttons"]) - 2)  # Continue
    for _ in range(4):
        question = page.click(index=1)  # never "under 16": a child waits for a guardian
    shot("05-item")
    page.click(index=4)  # 4 for now
    shot("06-item-now-answered")
    buttons = live_values()
    page.click(index=next(i for i, b in enumerate(buttons) if b.startswith("ⓘ")))
    shot("07-info")
    page.type("Nước sạch còn thiếu ở bản tôi" if language == "vi" else "Clean water is short here")
    time.sleep(1.0)
    shot("08-comment")
    page.click(index=10)  # 4 by 2030: the next item (row 2 starts at 6)
    shot("09-next-item")
    for _ in range(200):  # the rest, by taps: 3 now, 4 by 2030
        buttons = live_values()
        if not buttons or not buttons[0].startswith("2026"):
            break
        now_open = not any(b.startswith("✓") for b in buttons[1:6])
        page.click(index=3 if now_open else 10)
    shot("10-goals")
    page.click(index=1)
    page.click(index=3)
    question = page.click(index=6)  # Continue
    shot("11-recommendations")
    page.click(index=1)  # Skip
    shot("12-review")
    page.click(index=1)  # Change the first goal
    shot("13-edit-list")
    question = page.click(index=len(live_values()) - 1)  # back to review
    with contextlib.suppress(AssertionError):  # the thank-you has no buttons to wait for
        page.click(index=0)  # Submit
    shot("14-thanks")
    page.type("/mydata")
    time.sleep(1.5)
    shot("15-mydata")
    page.type("/help")
    time.sleep(1.5)
    shot("16-help")
    walk_child(page, out, language)


def walk_child(page: ChatPage, out: Path, language: str) -> None:
    """Again as a child: delete everything, start over, tick "children", wait."""
    page.type("/delete")
    page.until(lambda live: live and len(live["buttons"]) == 2, "no delete confirmation")
    with contextlib.suppress(AssertionError):  # the answer has no buttons to wait for
        page.click(index=0)  # Yes, delete everything
    time.sleep(1.0)
    page.type("/start")
    page.until(lambda live: live and "English" in live["buttons"], "no language choice")
    page.click("Tiếng Việt" if language == "vi" else "English")
    children = "Trẻ em" if language == "vi" else "Children"
    page.click(index=0)  # I agree
    page.until(lambda live: live and children in live["buttons"], "no group question")
    question = page.click(children)
    go = next(
        i for i, b in enumerate(question["buttons"]) if b.startswith(("Tiếp tục", "Continue"))
    )
    page.click(index=go)  # Continue: the waiting screen
    time.sleep(1.5)
    page.driver.execute_script(
        "const c = document.getElementById('chat'); c.scrollTop = c.scrollHeight;"
    )
    time.sleep(0.2)
    page.driver.save_screenshot(str(out / f"{language}-17-child-waiting.png"))
    # The link, clicked: the guardian (a second person) reads the consent asked of them.
    links = page.driver.find_elements("css selector", "#chat a.deep-link")
    links[-1].click()
    time.sleep(2.0)
    page.driver.save_screenshot(str(out / f"{language}-18-guardian.png"))


def seed(control_url: str, language: str, people: int = 10) -> None:
    """``people`` adults answer everything (ratings spread over the scale), so the
    digest has numbers to show: fewer than k = 5 would hide them all."""
    import asyncio
    import random

    from localbotapi import ControlClient
    from survey.model import load_survey
    from tests.e2e.driver import Respondent

    survey = load_survey(None)
    rng = random.Random(17)

    class InGroup(Respondent):
        """Youth or women (half each), so the heat map has two rows to show."""

        group = 1

        async def answer_one(self, screen: Any, step: str, comment: str | None = None) -> Any:
            if step == "p0" and not any(t.startswith("✓") for t in screen.button_texts):
                prefix = screen.callback_data[0].rsplit("|", 1)[0]
                return await self.tap(screen, f"{prefix}|a{self.group}")
            return await super().answer_one(screen, step, comment)

    async def one(control: ControlClient, n: int) -> None:
        user = await control.create_user(f"R{n}", language_code=language)
        person = InGroup(user, survey, language, timeout=90.0)
        person.group = 1 if n % 2 else 2  # youth, women
        person.choose = lambda step: rng.choice("12345" if step.endswith("n") else "2345d")
        await person.begin()
        await person.answer()

    async def run() -> None:
        async with ControlClient(control_url) as control:
            await asyncio.gather(*(one(control, n) for n in range(people)))

    asyncio.run(run())


def walk_digest(page: ChatPage, playground: Playground, out: Path, language: str) -> None:
    """The admin (the page's second person) asks for /digest: text, album, workbook."""
    driver = page.driver
    seed(playground.control_url, language)
    page.type(f"/language {language}")  # the second person's Telegram may be the other one
    time.sleep(2.0)
    page.type("/digest")
    for _ in range(120):
        time.sleep(0.5)
        if len(driver.find_elements("css selector", "#chat img")) >= 2:
            break
    time.sleep(2.0)
    images = driver.find_elements("css selector", "#chat img")
    texts = driver.find_elements("css selector", "#chat .msg.bot")
    for name, element in (
        ("19-digest-text", texts[-4] if len(texts) >= 4 else texts[-1]),
        ("20-digest-goals", images[-2]),
        ("21-digest-heat-map", images[-1]),
    ):
        driver.execute_script("arguments[0].scrollIntoView({block: 'start'});", element)
        time.sleep(0.4)
        driver.save_screenshot(str(out / f"{language}-{name}.png"))


def walk_actions(page: ChatPage, out: Path, language: str) -> None:
    """The admin enters an action agreed at the meeting, moves it on, adds evidence."""
    driver = page.driver

    def shot(name: str) -> None:
        save_bottom(driver, out / f"{language}-{name}.png", settle=1.0)

    vi = language == "vi"
    page.type("/actions")
    page.until(lambda live: live and live["buttons"], "no action plan")
    page.click(index=0)  # New action
    shot("22-new-action")
    for answer in (
        "1.1.1",
        "Nhiều hộ nghèo chưa được hỗ trợ" if vi else "Poor families miss support",
        "Rà soát lại danh sách hộ nghèo" if vi else "Review the list of poor families",
        "UBND xã Tân Lập",
        "Phó Chủ tịch" if vi else "Vice-chair",
        "31/03/2027",
    ):
        page.type(answer)
        time.sleep(1.0)
    shot("23-new-action-check")
    page.click(index=1)  # Save (after Cancel)
    page.click(index=0)  # In progress
    shot("24-action")
    buttons = page.live()["buttons"]  # type: ignore[index]
    page.click(index=len(buttons) - 2)  # Add an evidence note
    page.type(
        "Danh sách mới niêm yết tại nhà văn hóa thôn"
        if vi
        else "The new list is posted at the village hall"
    )
    shot("25-action-evidence")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--width", type=int, default=390)
    parser.add_argument("--language", nargs="+", default=["vi", "en"])
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for language in args.language:
        with tempfile.TemporaryDirectory() as folder:
            # The page's second person (the guardian, then the admin) asks for /digest.
            config = Path(folder) / "config.toml"
            config.write_text("[access]\nadmins = [100000002]\n", encoding="utf-8")
            playground = Playground(Path(folder), "--config", str(config))
            driver = browser(args.width)
            try:
                driver.set_window_size(args.width, 844)
                driver.get(playground.url)
                page = ChatPage(driver)
                page.until(lambda _live, d=driver: d.execute_script(HAS_COMPOSER), "no page")
                walk(page, args.out, language)
                walk_digest(page, playground, args.out, language)
                walk_actions(page, args.out, language)
            finally:
                driver.quit()
                playground.stop()
    print(f"screenshots in {args.out}")


if __name__ == "__main__":
    main()
