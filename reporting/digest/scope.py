"""A coordinator's scope: everything, or a region and/or group (and area) filter.

Written ``region=north,group=youth`` on the command line and in chat, stored
as JSON ``{"region": "north", "group": "youth"}``.

A scope names one choice per dimension. Where people may choose several
groups, ``group=women`` keeps everyone who chose women, alone or with other
groups (``storage.analytics`` matches whole ids in the stored list).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from storage.analytics import DIMENSIONS
from survey.model import Survey

Scope = dict[str, str]


class ScopeError(ValueError):
    """A scope that names an unknown dimension or choice."""


def parse_scope(text: str, survey: Survey) -> Scope:
    """``"region=north,group=youth"`` (or ``"all"``/empty) into a checked scope."""
    scope: Scope = {}
    for part in text.replace(" ", ",").split(","):
        if not part or part == "all":
            continue
        dimension, _, choice = part.partition("=")
        if dimension not in DIMENSIONS:
            raise ScopeError(f"unknown scope {dimension!r}: use {', '.join(DIMENSIONS)}")
        question = survey.profile_question(dimension)
        choices = [c.id for c in question.choices] if question else []
        if choice not in choices:
            raise ScopeError(f"unknown {dimension} {choice!r}: use {', '.join(choices)}")
        scope[dimension] = choice
    return scope


def scope_to_json(scope: Mapping[str, str]) -> str:
    return json.dumps(dict(sorted(scope.items())), separators=(",", ":"))


def scope_from_json(text: str) -> Scope:
    value = json.loads(text or "{}")
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def scope_text(scope: Mapping[str, str]) -> str:
    """Stable ASCII form, e.g. ``region=north`` or ``all``."""
    return ",".join(f"{k}={v}" for k, v in sorted(scope.items())) or "all"


def choice_label(survey: Survey, dimension: str, choice: str, language: str) -> str:
    question = survey.profile_question(dimension)
    for option in question.choices if question else []:
        if option.id == choice:
            return option.label(language)
    return choice


def scope_label(survey: Survey, scope: Mapping[str, str], language: str, everything: str) -> str:
    if not scope:
        return everything
    return ", ".join(choice_label(survey, k, v, language) for k, v in sorted(scope.items()))
