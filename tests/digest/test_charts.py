"""Charts: PNGs whose font has every Vietnamese letter they need."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

from bot.digest.analysis import analyse
from bot.digest.charts import STYLE, goals_chart, heat_map
from conversations.i18n import translator
from tests.auxil.harness import Harness


async def test_charts_render_vietnamese_labels_with_a_font_that_has_them(
    digest_harness: Harness,
) -> None:
    survey = digest_harness.services.survey
    end = datetime.now(UTC)
    analysis = analyse(
        digest_harness.settings.storage.database, survey, {}, end - timedelta(7), end
    )
    for png in (goals_chart(analysis, "vi"), heat_map(analysis, "vi")):
        assert png.startswith(b"\x89PNG")
    # The font the charts ask for is the one found (no silent fallback)...
    path = font_manager.findfont(font_manager.FontProperties(family=STYLE["font.family"]))
    assert "DejaVuSans" in path
    # ...and it has a glyph for every character of the Vietnamese labels drawn.
    _ = translator("vi")
    labels = [s.short_title("vi") for s in survey.sections]
    labels += [c.label("vi") for q in survey.profile for c in q.choices]
    labels += [_("Mean rating {year} by group"), _("Not answered"), _("Prefer not to say")]
    font = FT2Font(path)
    missing = {
        ch for text in labels for ch in text if ch.strip() and font.get_char_index(ord(ch)) == 0
    }
    assert missing == set()
    assert "ữ" in "".join(labels)  # the check covers stacked diacritics
