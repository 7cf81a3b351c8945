"""How many screens a person reads and how many taps they make for a whole scorecard.

Plays the shipped survey (or ``--survey FILE``) through the real Application on
a real SQLite file, as a respondent who answers everything with buttons, from
the first screen to the thank-you, and counts what the person sees:

* taps: button presses (callback queries), first screen to thank-you;
* question screens: distinct questions shown (a profile question, an
  indicator's statement with both ratings, a closing question); a tap that
  updates a screen in place is not a new screen;
* all screens: question screens plus the welcome, consent, review and
  thank-you screens;
* messages: what the chat holds afterwards (sent, not edited).

Targets (issue 8): at most 80 question screens and 155 taps.

    python benchmarks/survey_screens.py [--language vi|en] [--goals 3] [--typed] [--survey FILE]

``--typed`` answers each indicator by typing two digits ("3 4") instead of two
taps, as a keyboard or screen-reader user may: taps then drop by 138.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.auxil.harness import Harness, Person, make_settings
from tests.auxil.journeys import adult_choices, step_of

TARGET_SCREENS, TARGET_TAPS = 80, 155


async def play(language: str, goals: int, typed: bool, survey: Path | None) -> dict[str, int]:
    with tempfile.TemporaryDirectory() as folder:
        overrides = {"survey": {"file": str(survey)}} if survey else {}
        async with Harness(make_settings(Path(folder) / "b.sqlite3", **overrides)) as harness:
            person = Person(42, language)
            taps, questions, screens = 0, [], 0
            shown: str | None = None

            async def tap(data: str) -> None:
                nonlocal taps
                taps += 1
                await harness.press_data(person, data)

            def note_screen() -> str:
                """The question the live message shows now; counts a new one."""
                nonlocal shown, screens
                data = [b["callback_data"] for b in harness.screen(person).buttons()]
                # The thanks screen asks only whether to hear about actions (1|U|).
                data = [d for d in data if not d.startswith("1|U|")]
                key = next((step_of(d) for d in data if step_of(d)), None) or (
                    data[0] if data else "thanks"
                )
                if key != shown:
                    shown, screens = key, screens + 1
                    if key[:1] in {"p", "r", "q"} and key != "rv":
                        questions.append(key)
                return key

            await harness.text(person, "/start")
            note_screen()  # the welcome screen, with the language choice
            await tap(harness.button(person, "Tiếng Việt" if language == "vi" else "English"))
            note_screen()  # consent
            await tap(harness.screen(person).buttons()[0]["callback_data"])  # I agree
            for _ in range(2000):
                key = note_screen()
                data = [b["callback_data"] for b in harness.screen(person).buttons()]
                if key == "thanks" or not data or data[0].startswith("1|U|"):
                    break
                values = [d.rsplit("|", 1)[1] for d in data]
                if key == "rv":
                    await tap(next(d for d in data if d.endswith("|rv|sub")))
                elif key.startswith("p"):
                    # The first choice that does not make the respondent a child
                    # (a child waits for a guardian's consent first).
                    choice = adult_choices(harness.services.survey)[int(key[1:])]
                    if "k" in values:  # "all that apply": tick it, then Continue
                        if not harness.screen(person).buttons()[choice]["text"].startswith("✓"):
                            await tap(data[choice])
                        else:
                            await tap(data[values.index("k")])
                    else:
                        await tap(data[choice])
                elif key.startswith("r"):
                    open_rows = [
                        row
                        for row, start in (("n", 0), ("f", 7))
                        if not any(
                            b["text"].startswith("✓")
                            for b in harness.screen(person).buttons()[start : start + 7]
                        )
                    ]
                    if typed:
                        await harness.text(person, "3 4")
                    else:
                        await tap(next(d for d in data if d.endswith(f"|{open_rows[0]}3")))
                elif "k" in values:  # the goals that matter most
                    ticked = sum(
                        b["text"].startswith("✓") for b in harness.screen(person).buttons()
                    )
                    if ticked < goals:
                        await tap(
                            next(d for d, v in zip(data, values, strict=True) if v == f"a{ticked}")
                        )
                    else:
                        await tap(data[values.index("k")])
                else:  # a free-text question: skip it
                    await tap(data[values.index("s")])
            assert (
                "Thank you" in harness.screen(person).text
                or "Cảm ơn" in harness.screen(person).text
            ), "never reached the thank-you"
            stored = await harness.services.store.fetchall("SELECT COUNT(*) FROM ratings")
            return {
                "taps": taps,
                "question_screens": len(questions),
                "all_screens": screens,
                "messages": len(harness.telegram.bot_messages(person.id)),
                "ratings_stored": stored[0][0],
            }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", choices=["vi", "en"], default="vi")
    parser.add_argument("--goals", type=int, default=3, help="goals ticked as most important")
    parser.add_argument("--typed", action="store_true", help="type '3 4' on each indicator")
    parser.add_argument("--survey", type=Path, default=None)
    args = parser.parse_args()
    figures = await play(args.language, args.goals, args.typed, args.survey)
    for name, value in figures.items():
        print(f"{name:17} {value:5}")
    ok = figures["question_screens"] <= TARGET_SCREENS and (
        args.typed or figures["taps"] <= TARGET_TAPS
    )
    print(
        f"targets: question screens <= {TARGET_SCREENS}, taps <= {TARGET_TAPS}:"
        f" {'met' if ok else 'NOT met'}"
    )


if __name__ == "__main__":
    asyncio.run(main())
