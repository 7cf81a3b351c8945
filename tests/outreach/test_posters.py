"""QR posters: the link printed whole, as vector text of at least 9 pt, with a Telegram note."""

from __future__ import annotations

import io
from itertools import combinations
from pathlib import Path

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Bbox
from PIL import Image
from pypdf import PdfReader

from reporting import posters

# The longest link Telegram allows: a 32-character username and a 22-character code.
LONG_LINK = "https://t.me/" + "A" * 29 + "Bot" + "?start=" + "Ab3-_xYz0123456789abcd"
LINK = "https://t.me/ScorecardTestBot?start=Ab3-_xYz0123456789abcd"
LONG_LABEL = "Hội Liên hiệp Phụ nữ huyện Mường Tè, tỉnh Lai Châu và các xã vùng biên giới"


def _texts(figure: Figure) -> list[tuple[Text, Bbox]]:
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    return [
        (text, text.get_window_extent(renderer))
        for text in figure.findobj(Text)
        if text.get_visible() and text.get_text().strip()
    ]


def _within(box: Bbox, outer: Bbox) -> bool:
    return outer.x0 <= box.x0 and box.x1 <= outer.x1 and outer.y0 <= box.y0 and box.y1 <= outer.y1


def _pdf_text(path: Path) -> tuple[str, list[tuple[str, float]]]:
    """The PDF's text and each shown fragment's size in points (Tf size times the text
    and page matrices' scale)."""
    reader = PdfReader(path)
    fragments: list[tuple[str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], _font: object, size: float) -> None:
        if text.strip():
            scale = (
                abs(tm[0] * tm[3] - tm[1] * tm[2]) ** 0.5
                * abs(cm[0] * cm[3] - cm[1] * cm[2]) ** 0.5
            )
            fragments.append((text, size * scale))

    text = "".join(page.extract_text(visitor_text=visit) for page in reader.pages)
    return text, fragments


@pytest.mark.parametrize("link", [LINK, LONG_LINK])
def test_the_pdf_prints_the_whole_link_and_the_telegram_note_as_text(
    tmp_path: Path, link: str
) -> None:
    out = posters.write_sheet([(link, LONG_LABEL, "Women's Union")] * 7, tmp_path / "s.pdf")
    text, fragments = _pdf_text(out)
    # Vector text (not pixels): the link is there whole, wrapped at most, never cut.
    flat = text.replace("\n", "")
    assert flat.count(link) == 7
    for sentence in posters.TELEGRAM:
        assert " ".join(text.split()).count(sentence) == 7
    assert "Telegram" in posters.TELEGRAM[0] and "Telegram" in posters.TELEGRAM[1]
    assert fragments and min(size for _text, size in fragments) >= 9
    link_sizes = [size for piece, size in fragments if piece.strip() and piece.strip() in link]
    assert link_sizes and min(link_sizes) >= 9
    assert "DejaVuSans" in out.read_bytes().decode("latin-1")  # the embedded font


@pytest.mark.parametrize("label", ["Hội Phụ nữ", LONG_LABEL, "Đ" * 90])
def test_every_line_of_a_sheet_stays_inside_its_card(label: str) -> None:
    links = ""
    for figure in posters.sheet([(LONG_LINK, label, "Women's Union of the district")] * 6):
        boxes = _texts(figure)
        cells = [
            patch.get_window_extent() for patch in figure.artists if isinstance(patch, Rectangle)
        ]
        assert cells
        for text, box in boxes:
            assert any(_within(box, cell) for cell in cells), f"{text.get_text()!r} leaves its card"
        for (one, first), (other, second) in combinations(boxes, 2):
            assert not first.overlaps(second), f"{one.get_text()!r} / {other.get_text()!r}"
        links += "".join(text.get_text() for text, _box in boxes if text.get_gid() == "link")
        assert all(text.get_fontsize() >= 9 for text, _box in boxes)
    # Longer labels leave room for fewer cards a page, but every card keeps its whole link.
    assert links.count(LONG_LINK) == 6


def test_the_chat_card_shows_the_link_whole_inside_the_image() -> None:
    figure = posters.poster_figure(LONG_LINK, LONG_LABEL, "Women's Union")
    boxes = _texts(figure)
    page = figure.bbox
    for text, box in boxes:
        assert _within(box, page), text.get_text()
    assert "".join(t.get_text() for t, _box in boxes if t.get_gid() == "link") == LONG_LINK
    png = Image.open(io.BytesIO(posters.poster_png(LONG_LINK, LONG_LABEL)))
    assert png.format == "PNG" and png.width == 600
