"""Charts: PNGs whose font has every Vietnamese letter they need."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import combinations

import pytest
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from locales.i18n import translator
from reporting.digest import charts
from reporting.digest.analysis import Analysis, analyse
from reporting.digest.charts import STYLE, goals_chart, heat_map
from reporting.digest.reference import Reference, ReferencePoint
from survey.model import Official, Survey
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


# The official goal names, cut to 60 characters: longer than any short title should be.
LONG_TITLES = {
    1: ("Mục tiêu 1: Chấm dứt mọi hình thức nghèo ở mọi nơi",
        "Goal 1: End poverty in all its forms everywhere"),
    4: ("Mục tiêu 4: Đảm bảo nền giáo dục có chất lượng, công bằng, toàn diện",
        "Goal 4: Ensure inclusive and equitable quality education and promote"),
    5: ("Mục tiêu 5: Đạt được bình đẳng về giới; tăng quyền và tạo cơ hội",
        "Goal 5: Achieve gender equality and empower all women and girls"),
    8: ("Mục tiêu 8: Đảm bảo tăng trưởng kinh tế bền vững, toàn diện, liên tục",
        "Goal 8: Promote sustained, inclusive and sustainable economic growth"),
    13: ("Mục tiêu 13: Ứng phó kịp thời, hiệu quả với biến đổi khí hậu và thiên tai",
         "Goal 13: Take urgent action to combat climate change and its impacts"),
    16: ("Mục tiêu 16: Thúc đẩy xã hội hòa bình, dân chủ, công bằng, bình đẳng",
         "Goal 16: Promote peaceful and inclusive societies for sustainable dev"),
}  # fmt: skip


def _long_survey(survey: Survey) -> Survey:
    """The survey with ~60-character goal titles and long group, region and area names."""
    data = survey.model_dump()
    for section in data["sections"]:
        vi, en = (title[:60] for title in LONG_TITLES[section["sdg"]])
        section["short_title"] = {"vi": vi, "en": en, "draft": []}
    more = {
        "vi": " — người dân ở vùng sâu, vùng xa, dân tộc thiểu số",
        "en": " — people in remote areas and ethnic minorities",
    }
    for question in data["profile"]:
        for choice in question["choices"]:
            label = choice["label"]
            choice["label"] = {
                "vi": (label["vi"] + more["vi"])[:60],
                "en": (label["en"] + more["en"])[:60],
                "draft": [],
            }
    return Survey.model_validate(data)


# The report's round as a reference series, under a long label.
REFERENCE = Reference(
    "Báo cáo Thẻ điểm SDG cộng đồng 2022 / Community SDG scorecard report",
    2022,
    2025,
    {1: ReferencePoint(3.3, 3.7), 4: ReferencePoint(3.49, 3.92), 8: ReferencePoint(None, 3.65)},
)


def _figures(monkeypatch: pytest.MonkeyPatch, analysis: Analysis, language: str) -> list[Figure]:
    """The figures the charts draw, captured where they are turned into PNG bytes."""
    drawn: list[Figure] = []
    real_png = charts._png

    def keep(figure: Figure, *args: object, **kwargs: object) -> bytes:
        drawn.append(figure)
        return real_png(figure, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(charts, "_png", keep)
    charts.forget_drawn()  # draw them, even if an earlier test drew the same
    charts.render_charts(analysis, language, REFERENCE)
    return drawn


def _text_boxes(figure: Figure) -> list[tuple[str, Bbox]]:
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    return [
        (text.get_text(), text.get_window_extent(renderer))
        for text in figure.findobj(Text)
        if text.get_visible() and text.get_text().strip()
    ]


@pytest.mark.parametrize("language", ["vi", "en"])
async def test_chart_labels_are_never_clipped_nor_overlapping_at_the_longest_titles(
    digest_harness: Harness, monkeypatch: pytest.MonkeyPatch, language: str
) -> None:
    survey = _long_survey(digest_harness.services.survey)
    end = datetime.now(UTC)
    analysis = analyse(
        digest_harness.settings.storage.database, survey, {}, end - timedelta(7), end,
        overrides={1: Official(level=4.0, source="National report 2020")},
    )  # fmt: skip
    figures = _figures(monkeypatch, analysis, language)
    assert len(figures) == 2
    for figure in figures:
        boxes = _text_boxes(figure)
        page = figure.bbox
        for text, box in boxes:
            # Inside the figure (half a pixel of rounding allowed).
            assert (
                box.x0 >= page.x0 - 0.5
                and box.y0 >= page.y0 - 0.5
                and box.x1 <= page.x1 + 0.5
                and box.y1 <= page.y1 + 0.5
            ), f"clipped: {text!r} at {box} outside {page}"
        for (first, one), (second, other) in combinations(boxes, 2):
            assert not one.overlaps(other), f"overlap: {first!r} and {second!r}"
        # The titles are shown whole (wrapped, never cut).
        drawn = " ".join(" ".join(text.split()) for text, _box in boxes)
        if figure is figures[0]:
            for section in survey.sections:
                assert " ".join(section.short_title(language).split()) in drawn
            # The legend names the earlier round with its years; the axis uses the scale's words.
            assert f"{' '.join(REFERENCE.label.split())} (2022" in drawn
            # The two ends of the scale in words (five would not fit 600 px wide).
            for point in (survey.scale.points[0], survey.scale.points[-1]):
                assert " ".join(point.label(language).split()) in drawn
    # Vietnamese charts write decimals with a comma, as the digest text does.
    values = [text for text, _box in _text_boxes(figures[0]) if text[:1].isdigit()]
    assert ("2,4" if language == "vi" else "2.4") in values


def chat_pixels(figure: Figure, points: float) -> float:
    """How tall ``points`` of text is once the PNG is shown 390 px wide in a chat."""
    width_px = figure.get_figwidth() * charts.DPI
    return points * charts.DPI / 72 * min(1.0, charts.CHAT_WIDTH / width_px)


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("chart", [0, 1], ids=["goals", "heat-map"])
async def test_the_album_reads_at_chat_width(
    digest_harness: Harness, monkeypatch: pytest.MonkeyPatch, language: str, chart: int
) -> None:
    survey = digest_harness.services.survey
    end = datetime.now(UTC)
    analysis = analyse(
        digest_harness.settings.storage.database, survey, {}, end - timedelta(7), end
    )
    heat = _figures(monkeypatch, analysis, language)[chart]
    boxes = _text_boxes(heat)
    texts = [t for t in heat.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert len(texts) == len(boxes) > 10  # labels, cells, scale words, title
    smallest = min(chat_pixels(heat, t.get_fontsize()) for t in texts)
    assert smallest >= 12, f"smallest label {smallest:.1f} px at 390 px"
    # Geometrically too: a one-line label's drawn height, scaled to the chat's width.
    scale = charts.CHAT_WIDTH / heat.bbox.width
    cells = [box for text, box in boxes if text[:1].isdigit() and 1 < len(text) <= 3]
    assert cells and min(box.height for box in cells) * scale >= 9  # cap to descender
    for (first, one), (second, other) in combinations(boxes, 2):
        assert not one.overlaps(other), f"overlap: {first!r} and {second!r}"
