"""The pack as a printable A4 PDF: HTML laid out by WeasyPrint (blocking: run in a thread).

Text stays text (DejaVu Sans has every Vietnamese letter), tables wrap to the
page, and the action-plan table gets a landscape page of its own.
"""

from __future__ import annotations

from html import escape

from babel.numbers import format_decimal

from reporting.actions.plan import COLUMNS
from reporting.digest.text import too_small_note, whole
from reporting.meeting.content import Pack
from reporting.meeting.labels import Labels, labels

BLANK_ROWS = 8

CSS = """
@page { size: A4; margin: 16mm 14mm; @bottom-right { content: counter(page) " / " counter(pages);
  font-size: 8pt; color: #555; } }
@page plan { size: A4 landscape; }
body { font-family: "DejaVu Sans", sans-serif; font-size: 10.5pt; line-height: 1.35; color: #111; }
h1 { font-size: 18pt; margin: 0 0 4pt; }
h2 { font-size: 13pt; margin: 16pt 0 2pt; border-bottom: 1.5pt solid #1f5f8b; color: #1f5f8b; }
p.note { font-size: 9pt; color: #444; margin: 2pt 0 6pt; }
dl { display: grid; margin: 0; }
table { width: 100%; border-collapse: collapse; margin-top: 4pt; page-break-inside: auto; }
th, td { border: 0.6pt solid #999; padding: 3pt 4pt; vertical-align: top; text-align: left; }
th { background: #ddebf7; font-size: 9pt; }
td.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tr { page-break-inside: avoid; }
section.plan { page: plan; page-break-before: always; }
section.plan td { height: 30pt; font-size: 9pt; }
section.plan th { font-size: 8pt; }
section.plan th:nth-child(4), section.plan th:nth-child(5) { width: 17%; }
section.plan th:nth-child(1) { width: 4%; }
section.plan th:nth-child(7) { width: 9%; }
blockquote { margin: 3pt 0 3pt 8pt; padding-left: 6pt; border-left: 2pt solid #bbb; }
.goal { font-size: 8.5pt; color: #555; }
"""


def mean(value: float | None, language: str) -> str:
    """A mean as the digest's workbook holds it: two decimals, '–' when hidden."""
    return "–" if value is None else format_decimal(value, format="0.00", locale=language)


def _table(head: list[str], rows: list[list[str]], numeric: set[int], empty: str = "") -> str:
    if not rows and empty:
        return f"<p>{escape(empty)}</p>"
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{c}</td>' if n in numeric else f"<td>{c}</td>" for n, c in enumerate(r)
        )
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def render_html(pack: Pack) -> str:
    words, lang = labels(pack.language), pack.language
    k = pack.analysis.k
    parts = [
        f"<h1>{escape(words.title)}</h1>",
        "<p>"
        + "<br>".join(
            f"<b>{escape(label)}:</b> {escape(value)}"
            for label, value in (
                (words.round, pack.round_title or "–"),
                (words.scope, pack.scope_label),
                (words.made, pack.made_on),
                (words.people, whole(pack.people, lang, k)),
            )
        )
        + "</p>",
    ]
    if pack.refusal is not None:
        parts.append(f"<p><b>{escape(too_small_note(k, lang, pack.refusal))}</b></p>")
    else:
        parts += _numbers(pack, words)
    parts.append(_plan(pack, words))
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<style>{CSS}</style></head><body>{''.join(parts)}</body></html>"
    )


def _numbers(pack: Pack, words: Labels) -> list[str]:
    lang = pack.language
    parts = [f"<h2>{escape(words.lowest)}</h2><p class=note>{escape(words.lowest_note)}</p>"]
    parts.append(
        _table(
            [words.code, words.statement, words.now, words.forecast],
            [
                [
                    escape(low.code),
                    f"{escape(low.statement)}<div class=goal>{escape(low.goal)}</div>",
                    mean(low.now, lang),
                    mean(low.forecast, lang),
                ]
                for low in pack.lowest
            ],
            {2, 3},
            words.no_lowest,
        )
    )
    parts.append(f"<h2>{escape(words.gaps)}</h2><p class=note>{escape(words.gaps_note)}</p>")
    parts.append(
        _table(
            [words.goal, words.dimension, words.highest, words.lowest_group, words.gap],
            [
                [
                    escape(g.goal),
                    escape(words.dimensions[g.dimension]),
                    f"{escape(g.high)} ({mean(g.high_mean, lang)})",
                    f"{escape(g.low)} ({mean(g.low_mean, lang)})",
                    mean(g.gap, lang),
                ]
                for g in pack.gaps
            ],
            {4},
            words.no_gaps,
        )
    )
    parts.append(f"<h2>{escape(words.providers)}</h2>")
    if pack.providers:
        parts.append(f"<p class=note>{escape(words.providers_note)}</p>")
        parts.append(
            _table(
                [words.code, words.statement, words.community, words.provider, words.gap],
                [
                    [
                        escape(p.code),
                        escape(p.statement),
                        mean(p.community, lang),
                        mean(p.providers, lang),
                        mean(p.gap, lang),
                    ]
                    for p in pack.providers
                ],
                {2, 3, 4},
            )
        )
    else:
        parts.append(f"<p>{escape(words.no_providers)}</p>")
    if pack.changes:
        parts.append(f"<h2>{escape(words.changes)}</h2>")
        parts.append(
            _table(
                [words.code, words.before, words.now, words.change, words.provider],
                [
                    [f"#{r.action_id} {escape(r.code)}", mean(r.before, lang), mean(r.now, lang),
                     mean(r.change, lang),
                     f"{mean(r.providers_before, lang)} → {mean(r.providers_now, lang)}"]
                    for r in pack.changes
                ],
                {1, 2, 3},
            )
        )
    parts.append(f"<h2>{escape(words.said)}</h2><p class=note>{escape(words.said_note)}</p>")
    if pack.comments:
        parts += [
            f"<blockquote>{escape(c.text)}<div class=goal>{escape(c.goal)}</div></blockquote>"
            for c in pack.comments
        ]
    else:
        parts.append(f"<p>{escape(words.nothing_said)}</p>")
    parts.append(f"<h2>{escape(words.priorities)}</h2>")
    if pack.priorities:
        parts.append(f"<p class=note>{escape(words.priorities_note)}</p><ol>")
        parts += [f"<li>{escape(goal)}</li>" for goal in pack.priorities]
        parts.append("</ol>")
    else:
        parts.append(f"<p>{escape(words.no_priorities)}</p>")
    return parts


def _plan(pack: Pack, words: Labels) -> str:
    from reporting.actions.plan import plan_row

    rows = [[escape(str(v or "")) for v in plan_row(a)] for a in pack.actions]
    rows += [[""] * len(COLUMNS) for _ in range(BLANK_ROWS)]
    table = _table([h for _k, h in COLUMNS], rows, set())
    return (
        f'<section class="plan"><h2>{escape(words.plan)}</h2>'
        f"<p class=note>{escape(words.plan_note)}</p>{table}</section>"
    )


def render_pdf(pack: Pack) -> bytes:
    from weasyprint import HTML

    return HTML(string=render_html(pack)).write_pdf()  # type: ignore[no-any-return]
