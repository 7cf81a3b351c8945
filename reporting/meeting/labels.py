"""The pack's words, in the pack's language (gettext), shared by the PDF and the XLSX."""

from __future__ import annotations

from dataclasses import dataclass

from locales.i18n import translator


@dataclass(frozen=True, slots=True)
class Labels:
    title: str
    round: str
    scope: str
    made: str
    people: str
    lowest: str
    lowest_note: str
    code: str
    statement: str
    goal: str
    now: str
    forecast: str
    gaps: str
    gaps_note: str
    dimension: str
    highest: str
    lowest_group: str
    gap: str
    no_gaps: str
    no_lowest: str
    providers: str
    providers_note: str
    community: str
    provider: str
    no_providers: str
    said: str
    said_note: str
    nothing_said: str
    priorities: str
    priorities_note: str
    no_priorities: str
    plan: str
    plan_note: str
    changes: str
    before: str
    change: str
    dimensions: dict[str, str]


def labels(language: str) -> Labels:
    _ = translator(language)
    return Labels(
        title=_("Interface meeting pack"),
        round=_("Round"),
        scope=_("Scope"),
        made=_("Prepared on"),
        people=_("People who took part"),
        lowest=_("The lowest-scoring indicators"),
        lowest_note=_(
            "Mean score now, from 1 (not true) to 5 (completely true), as in the digest;"
            " groups too small to show are left out."
        ),
        code=_("Code"),
        statement=_("Statement"),
        goal=_("Goal"),
        now=_("Now"),
        forecast=_("Expected"),
        gaps=_("The largest gaps between groups"),
        gaps_note=_("For each goal, the highest and the lowest group, region or area shown."),
        dimension=_("Between"),
        highest=_("Highest"),
        lowest_group=_("Lowest"),
        gap=_("Gap"),
        no_gaps=_("No gap between groups can be shown: too few people in each."),
        no_lowest=_("No indicator score can be shown."),
        providers=_("Community and service providers"),
        providers_note=_(
            "Service providers scored the same statements; their scores are never part of the"
            " community's means."
        ),
        community=_("Community"),
        provider=_("Providers"),
        no_providers=_("No self-assessment by service providers can be shown for this round."),
        said=_("What people said"),
        said_note=_("Comments in people's own words, only where enough people answered."),
        nothing_said=_("No comments can be shown."),
        priorities=_("The goals people chose as priorities"),
        priorities_note=_("Most often chosen first."),
        no_priorities=_("Not enough people chose priorities to show them."),
        plan=_("Joint action plan"),
        plan_note=_(
            "Fill in at the meeting; the same table is the Actions sheet of the XLSX, which"
            " scorecard-bot actions import reads."
        ),
        changes=_("Change since the meeting"),
        before=_("At the meeting"),
        change=_("Change"),
        dimensions={"group": _("Groups"), "region": _("Regions"), "area": _("Areas")},
    )
