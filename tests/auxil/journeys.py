"""Walk a simulated respondent through the survey by pressing real buttons."""

from __future__ import annotations

from tests.auxil.harness import Harness, Person


def labels(harness: Harness, person: Person) -> list[str]:
    return [b["text"] for b in harness.screen(person).buttons()]


async def agree(harness: Harness, person: Person, language_button: str = "English") -> None:
    await harness.text(person, "/start")
    await harness.press(person, language_button)
    await harness.press(person, "I agree" if language_button == "English" else "Tôi đồng ý")


async def answer_profile(
    harness: Harness, person: Person, choices: list[int] | None = None
) -> None:
    """Press the n-th choice of each profile question (first by default)."""
    for index in choices or [0] * len(harness.services.survey.profile):
        screen = harness.screen(person)
        if "/" not in screen.text.split("\n")[0]:
            break
        await harness.press_data(person, screen.buttons()[index]["callback_data"])


async def answer_all(
    harness: Harness, person: Person, value: str = "3", comment: str | None = None
) -> None:
    """From the current question to the review screen: ratings, comments, closing."""
    for _ in range(1000):
        screen = harness.screen(person)
        data = [b["callback_data"] for b in screen.buttons()]
        if any(d.endswith("|rv|sub") for d in data):
            return
        rating = [d for d in data if d.split("|")[2].startswith("r") and d.endswith(f"|{value}")]
        if rating:
            await harness.press_data(person, rating[0])
        elif any(d.split("|")[2].startswith("q") and d.endswith("|k") for d in data):
            goals = [d for d in data if "|t" in d]
            for goal in goals[:2]:
                await harness.press_data(person, goal)
            await harness.press(person, "(2/")
        elif comment is not None:
            await harness.text(person, comment)
        else:
            await harness.press_data(person, next(d for d in data if d.endswith("|s")))
    raise AssertionError("never reached the review screen")
