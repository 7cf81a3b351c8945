"""The audit reports each leak when one protection is taken away.

Each test removes one protection for its duration (monkeypatch) and runs
the audit on the designed dataset: a protection the audit cannot see fail
would be one nobody checks.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import SimpleNamespace

import pytest

from reporting import anonymise
from reporting.audit import audit
from reporting.digest import analysis, views
from reporting.publication import means, protect
from storage import publication as stored
from tests.privacy.conftest import Designed, K

# The module, not the function the package exports under the same name.
build = importlib.import_module("reporting.publication.build")


def attacks(designed: Designed) -> set[str]:
    return {finding.attack for finding in audit(designed.database, designed.survey, K).findings}


async def test_without_linked_suppression_differencing_finds_people(
    designed: Designed, monkeypatch: pytest.MonkeyPatch
) -> None:
    def primary_only(lines: Mapping, k: int, _people: Mapping) -> dict:
        return {key: protect.SMALL for key, line in lines.items() if 0 < line.size < k} | {
            key: protect.REMAINDER for key, line in lines.items() if not line.published
        }

    monkeypatch.setattr(build, "protect", primary_only)
    assert "differencing" in attacks(designed)


async def test_without_protecting_means_inside_rows_ratings_are_found(
    designed: Designed, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every mean of a shown row shown, however few rated it.
    monkeypatch.setattr(build, "protect_means", lambda *_args: {})
    found = audit(designed.database, designed.survey, K).findings
    assert any(f.attack == "ratings" for f in found), [f.line() for f in found]


async def test_means_protected_by_the_few_rule_alone_are_found(
    designed: Designed, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Means rated by fewer than k hidden, but nothing hidden to protect them.
    def primary_only(lines: Mapping, k: int, _people: Mapping) -> dict:
        return {key: protect.SMALL for key, line in lines.items() if 0 < line.size < k}

    monkeypatch.setattr(means, "protect", primary_only)
    assert "ratings" in attacks(designed)


async def test_printing_small_counts_is_reported(
    designed: Designed, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Counts by mode and by invitation printed whatever the publication says.
    monkeypatch.setattr(views, "_people", lambda published, view, c: published.row(view, c).people)
    assert "small count" in attacks(designed)


async def test_full_precision_means_are_reported(
    designed: Designed, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(analysis, "MEAN_DECIMALS", 15)
    assert "precision" in attacks(designed)


async def test_numbers_pooled_over_every_round_are_reported(
    designed: Designed, monkeypatch: pytest.MonkeyPatch
) -> None:
    def all_rounds(read):  # type: ignore[no-untyped-def]
        def every(db, survey_id, _round_id, *audience):  # type: ignore[no-untyped-def]
            rounds = stored.round_ids(db)
            return [row for rid in rounds for row in read(db, survey_id, rid, *audience)]

        return every

    # Only the publication reads through this name; the audit reads rounds itself.
    shim = SimpleNamespace(
        people=all_rounds(stored.people), cell_sums=all_rounds(stored.cell_sums),
        coordinator_scopes=stored.coordinator_scopes,
    )  # fmt: skip
    monkeypatch.setattr("reporting.publication.stored", shim)
    assert "rounds" in attacks(designed)


async def test_an_export_checked_only_for_k_is_reported(
    designed: Designed, monkeypatch: pytest.MonkeyPatch
) -> None:
    def k_only(people, keys, _shown, k, rated):  # type: ignore[no-untyped-def]
        counts = {key: list(keys.values()).count(key) for key in keys.values()}
        return {
            p.response_id
            for p in people
            if p.response_id in rated and counts[keys[p.response_id]] >= k
        }

    monkeypatch.setattr(anonymise, "written_people", k_only)
    assert "linking" in attacks(designed)


async def test_an_sdmx_file_that_shows_hidden_rows_is_reported(
    designed: Designed, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The SDMX observations are an output of their own: if they wrote the values
    of rows every other output hides, the audit finds the people in them."""
    observations = importlib.import_module("reporting.sdmx.observations")
    everything_shown = SimpleNamespace(shown=True)
    monkeypatch.setattr(observations, "row_states", lambda *_args: lambda *_key: everything_shown)
    assert "differencing" in attacks(designed)  # only the SDMX rows show them
