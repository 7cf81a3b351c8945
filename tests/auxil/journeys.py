"""Walk a simulated respondent through the survey by pressing real buttons."""

from __future__ import annotations

from conversations.guardian import MINOR_ANSWERS
from survey.model import Survey
from tests.auxil.harness import Harness, Person


def adult_choices(survey: Survey) -> list[int]:
    """For each profile question, the first choice that does not make the respondent
    a child (a child waits for a guardian's consent before rating anything)."""
    return [
        next(i for i, c in enumerate(q.choices) if (q.id, c.id) not in MINOR_ANSWERS)
        for q in survey.profile
    ]


def labels(harness: Harness, person: Person) -> list[str]:
    return [b["text"] for b in harness.screen(person).buttons()]


def step_of(data: str) -> str:
    """The step key of a survey button's callback data (``1|tag|step|value``)."""
    parts = data.split("|")
    return parts[2] if len(parts) == 4 else ""


async def agree(harness: Harness, person: Person, language_button: str = "English") -> None:
    await harness.text(person, "/start")
    await harness.press(person, language_button)
    await harness.press(person, "I agree" if language_button == "English" else "Tôi đồng ý")


async def answer_profile(
    harness: Harness, person: Person, choices: list[int] | None = None
) -> None:
    """Press the n-th choice of each profile question (by default the first one that
    does not make the respondent a child); on an "all that apply" question, tick
    that one choice and continue."""
    for index in choices or adult_choices(harness.services.survey):
        screen = harness.screen(person)
        data = [b["callback_data"] for b in screen.buttons()]
        if not data or not step_of(data[0]).startswith("p"):
            break
        await harness.press_data(person, data[index])
        if any(step_of(d).startswith("p") and d.endswith("|k") for d in data):
            await harness.press_data(person, next(d for d in data if d.endswith("|k")))


async def answer_all(
    harness: Harness, person: Person, value: str = "3", comment: str | None = None
) -> None:
    """From the current question to the review screen: both ratings of every
    indicator, a comment typed on each goal's first screen, the closing questions."""
    commented: set[str] = set()
    for _ in range(1000):
        screen = harness.screen(person)
        data = [b["callback_data"] for b in screen.buttons()]
        if any(d.endswith("|rv|sub") for d in data):
            return
        steps = {step_of(d) for d in data}
        rating = [d for d in data if step_of(d).startswith("r") and step_of(d) != "rv"]
        if rating:
            goal = next((line for line in screen.text.split("\n") if "💬" in line), "")
            if comment is not None and goal not in commented:
                commented.add(goal)
                await harness.text(person, comment)
                continue
            open_rows = [
                prefix
                for prefix in ("n", "f")
                if not any(
                    b["text"].startswith("✓")
                    for b in screen.buttons()
                    if b["callback_data"].split("|")[-1][:1] == prefix
                )
            ]
            target = f"|{open_rows[0]}{value}" if open_rows else "|s"
            await harness.press_data(person, next(d for d in rating if d.endswith(target)))
        elif any(s.startswith("q") for s in steps) and any(d.endswith("|k") for d in data):
            goals = [d for d in data if d.split("|")[-1].startswith("a")]
            for goal_data in goals[:2]:
                await harness.press_data(person, goal_data)
            await harness.press_data(person, next(d for d in data if d.endswith("|k")))
        elif comment is not None and not any(d.endswith("|x") for d in data):
            await harness.text(person, comment)
        else:
            await harness.press_data(person, next(d for d in data if d.endswith("|s")))
    raise AssertionError("never reached the review screen")


def rating_button(harness: Harness, person: Person, kind: str, value: str) -> str:
    """Callback data of a rating button on the live screen: kind "n" (now) or "f"
    (forecast), value 1-5 or "d" (don't know)."""
    data = [b["callback_data"] for b in harness.screen(person).buttons()]
    return next(d for d in data if step_of(d).startswith("r") and d.endswith(f"|{kind}{value}"))


async def rate(harness: Harness, person: Person, kind: str, value: str) -> None:
    await harness.press_data(person, rating_button(harness, person, kind, value))


def statement(harness: Harness, code: str, language: str = "en") -> str:
    """The plain statement a respondent rates for an indicator."""
    return harness.services.survey.item_by_code[code][1].label(language)
