"""The quality statement released with every output (Copenhagen Framework on Citizen Data).

Who designed the survey and who collected the answers (partners, modes), the
survey version and hash, the round's dates, how people were reached (by
invitation, not a probability sample: what the numbers can and cannot
represent), coverage by group, region and area, completion and drop-out,
and the disclosure method with its k. Every count is a row of the round's
protected publication (``reporting.publication``): a hidden one is said to be
hidden, never printed. ``lines`` renders it in one language, Vietnamese first
elsewhere; the workbook's Quality sheet, the SDMX dataflow annotation, the
Open SDG metadata and the results site all print these lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from babel.numbers import format_decimal

from locales.i18n import LANGUAGES, translator
from reporting.publication import Publication, View
from storage.rounds import Round
from survey.model import Survey

DESIGNED_BY = (
    "Mạng lưới Không để ai bị bỏ lại phía sau (LNOB) Việt Nam"
    " / Leave No One Behind (LNOB) network, Viet Nam"
)
Count = int | None  # None: hidden by the publication
EVERYONE = View((), None)
MODES = ("self", "interview", "paper")


@dataclass(frozen=True, slots=True)
class QualityStatement:
    survey: Survey
    k: int
    designed_by: str = DESIGNED_BY
    round_title: str = ""
    opens_at: str = ""  # ISO date or ''
    closes: str = ""  # closed, or due to close; '' while open without a date
    versions: list[str] = field(default_factory=list)  # "2026.3 (1a2b3c4d)" of the answers
    started: Count = 0
    completed: Count = 0
    modes: list[tuple[str, Count]] = field(default_factory=list)
    partners: list[tuple[str, Count]] = field(default_factory=list)  # '' : no invitation
    coverage: list[tuple[str, str, Count]] = field(default_factory=list)  # dimension, choice
    sessions: int = 0  # group sessions held, reported apart from the means
    refused: bool = False  # the round has fewer than k people: nothing is counted

    @property
    def dropped(self) -> Count:
        if self.started is None or self.completed is None:
            return None
        return self.started - self.completed


def statement(
    survey: Survey,
    published: Publication,
    current: Round | None,
    versions: Sequence[tuple[str, str, int]],
    sessions: int = 0,
    designed_by: str = DESIGNED_BY,
    view: View = EVERYONE,
) -> QualityStatement:
    """The statement of the round ``published`` for ``view`` (everyone by default), its
    counts as the publication protects them."""
    named = [f"{version} ({digest[:8]})" for version, digest, _count in versions]
    round_facts = {}
    if current is not None:
        round_facts = {
            "round_title": current.title or current.id,
            "opens_at": current.opens_at[:10],
            "closes": (current.closed_at or current.closes_on or "")[:10],
        }
    if published.view_status(view) is not None:
        return QualityStatement(
            survey, published.k, designed_by, versions=named, sessions=sessions,
            started=None, completed=None, refused=True, **round_facts,
        )  # fmt: skip

    def count(condition: tuple[str, str] | None) -> Count:
        row = published.row(view, condition)
        return row.people if row.shown else None

    coverage = []
    for dimension in ("group", "region", "area"):
        question = survey.profile_question(dimension)
        present = set(published.choices(view, dimension))
        order = [c.id for c in question.choices] if question else []
        for choice in [c for c in order if c in present and c != "prefer_not"]:
            coverage.append((dimension, choice, count((dimension, choice))))
    return QualityStatement(
        survey,
        published.k,
        designed_by,
        versions=named,
        started=count(None),
        completed=published.completed.get(view),
        modes=[(m, count(("mode", m))) for m in published.choices(view, "mode")],
        partners=[(p, count(("partner", p))) for p in published.choices(view, "partner")],
        coverage=coverage,
        sessions=sessions,
        **round_facts,
    )


def _number(value: Count, language: str) -> str:
    _ = translator(language)
    if value is None:
        return _("hidden (fewer than k, or to protect another group)")
    return format_decimal(value, format="#,##0", locale=language)


def lines(quality: QualityStatement, language: str) -> list[tuple[str, str]]:
    """(heading, text) pairs of the statement in ``language``."""
    _ = translator(language)
    survey = quality.survey
    k = quality.k
    mode_names = {
        "self": _("on their own, in the Telegram chat"),
        "interview": _("interviewed by a facilitator"),
        "paper": _("on a paper form, typed in by a facilitator"),
    }
    no_invitation = _("no invitation (public link)")
    partners = [
        f"{label or no_invitation}: {_number(n, language)}" for label, n in quality.partners
    ]
    modes = [f"{mode_names.get(m, m)}: {_number(n, language)}" for m, n in quality.modes]
    if quality.sessions:
        modes.append(
            _("{n} group sessions, reported apart and never in the means").format(
                n=quality.sessions
            )
        )
    coverage = []
    for dimension, choice, n in quality.coverage:
        question = survey.profile_question(dimension)
        labels = {c.id: c.label(language) for c in question.choices} if question else {}
        coverage.append(f"{labels.get(choice, choice)}: {_number(n, language)}")
    dates = quality.opens_at or "—"
    if quality.closes:
        dates = f"{dates} – {quality.closes}"
    elif quality.opens_at:
        dates = _("{date} – still open").format(date=quality.opens_at)
    result = [
        (_("What this is"), _(
            "Citizen-generated data: how people rated, on a scale of 1 (not true) to 5"
            " (completely true), statements about the Sustainable Development Goals where"
            " they live, now and as they expect it by the forecast year. These are"
            " perceptions, not measurements."
        )),
        (_("Designed by"), quality.designed_by),
        (_("Survey"), _("{title}, version {version}, content hash {hash}").format(
            title=survey.title(language), version=survey.version,
            hash=survey.content_hash[:16] or "—",
        )),
        (_("Versions answered"), ", ".join(quality.versions) or "—"),
        (
            _("Round"),
            f"{quality.round_title} ({dates})"
            if quality.round_title
            else _("No round set: every answer so far"),
        ),
        (_("Collected by (invitations of partners)"), "; ".join(partners) or "—"),
        (_("How people answered"), "; ".join(modes) or "—"),
        (_("How people were reached"), _(
            "By invitation: partner organisations shared links and QR codes in their"
            " networks, and facilitators held interviews, paper forms and group sessions."
            " This is not a probability sample. The numbers show what the people who"
            " answered think; they do not estimate the views of the whole population,"
            " of a province or of a group, and differences smaller than a few tenths of a"
            " point may be chance."
        )),
        (_("Coverage (people who started, by group, region and area)"),
         "; ".join(coverage) or "—"),
        (_("Started"), _number(quality.started, language)),
        (_("Finished"), _number(quality.completed, language)),
        (_("Stopped before the end"), _number(quality.dropped, language)),
        (_("Disclosure control"), _(
            "Every number comes from one protected publication per round. Groups of fewer"
            " than {k} people are hidden (k = {k}), and further rows are hidden so that no"
            " group of fewer than {k} people can be worked out by adding and subtracting"
            " published numbers (linked secondary suppression). Means are rounded to two"
            " decimals. Hidden numbers are marked, never left out silently."
        ).format(k=k)),
    ]  # fmt: skip
    if quality.refused:
        result.insert(1, (_("Too few people"), _(
            "Fewer than {k} people answered in this round: no number is published."
        ).format(k=k)))  # fmt: skip
    return result


def text(quality: QualityStatement, language: str) -> str:
    """The statement as plain text, one "heading: text" paragraph per line."""
    return "\n".join(f"{heading}: {body}" for heading, body in lines(quality, language))


def texts(quality: QualityStatement) -> dict[str, str]:
    """language -> plain text, Vietnamese first."""
    return {language: text(quality, language) for language in LANGUAGES}


def front_matter(quality: QualityStatement, code: str) -> str:
    """An Open SDG metadata file for indicator ``code``: the statement in both languages
    (Vietnamese first) as its body, the English one as ``data_notes``."""
    english = text(quality, "en").replace("\n", "\n  ")
    parts = []
    for language in LANGUAGES:
        _ = translator(language)
        parts.append("# " + _("Quality statement"))
        parts.extend(f"## {heading}\n\n{content}" for heading, content in lines(quality, language))
    body = "\n\n".join(parts)
    return (
        f"---\nindicator_number: '{code}'\nreporting_status: complete\n"
        f"data_notes: |\n  {english}\n---\n\n{body}\n"
    )
