"""QR codes for invitation links: one PNG for the chat, printable sheets for partners.

Cards are laid out in points and drawn with matplotlib, so one layout gives
both outputs: the PDF sheet holds the text as real (vector, searchable,
copyable) text in DejaVu Sans, which has every Vietnamese letter, and the QR
code as vector squares that print sharp at any size; the PNGs are the same
figures rasterised. Every line is measured and wrapped to the card's width,
never shrunk below its size or cut: the link is printed whole, in at least
9 pt, wrapped after "/" or "?" when it is too long for one line.

Pure drawing work (CPU bound): callers run it off the event loop.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import matplotlib
import qrcode
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import PathPatch, Rectangle
from matplotlib.path import Path as Outline
from matplotlib.textpath import TextToPath
from matplotlib.transforms import Affine2D, Transform
from PIL import Image
from qrcode.constants import ERROR_CORRECT_M

# Both languages on every poster, so one print serves every partner.
CAPTIONS = (
    "Quét mã để tham gia Thẻ điểm SDG cộng đồng",
    "Scan to take part in the community SDG scorecard",
)
# The link only works in Telegram: say so before someone scans it in vain.
TELEGRAM = (
    "Cần có ứng dụng Telegram: quét mã QR bằng điện thoại hoặc mở đường link bên dưới.",
    "You need the Telegram app: scan the QR code with your phone or open the link below.",
)
FONT = "DejaVu Sans"  # ships with matplotlib; has every Vietnamese diacritic
STYLE = {
    "font.family": FONT,
    # TrueType (Type 42) embedding keeps the PDF's text real text, with a ToUnicode map.
    "pdf.fonttype": 42,
    "pdf.compression": 9,
}
DPI = 150
A4_AT_150_DPI = (1240, 1754)
POINTS = 72.0  # per inch
LINK_SIZE = 10.0  # pt; never below 9 (the floor for a link read off paper)
# pt, 6.7 cm with its quiet zone: the code itself (29-33 modules of 37-41) is over
# 5 cm, scanned from a notice board or a table away; two rows of cards per A4 page.
MIN_QR = 190.0


def _points(figure: Figure) -> Transform:
    """Points (from the page's bottom left) to pixels: the same layout at any dpi."""
    return Affine2D().scale(1 / POINTS) + figure.dpi_scale_trans


@cache
def _measure() -> TextToPath:
    return TextToPath()


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width of ``text`` in points at ``size`` pt in DejaVu Sans."""
    font = FontProperties(family=FONT, size=size, weight="bold" if bold else "normal")
    width, _height, _descent = _measure().get_text_width_height_descent(text, font, ismath=False)
    return float(width)


def _split_long(word: str, size: float, width: float, bold: bool, link: bool) -> list[str]:
    """Pieces of one word that each fit ``width``. A link breaks before a "?", "&" or single
    "/" (so the next line visibly continues it, never inside its code), else anywhere."""
    pieces: list[str] = []
    rest = word
    while rest and text_width(rest, size, bold) > width:
        fitting = 1
        while fitting < len(rest) and text_width(rest[: fitting + 1], size, bold) <= width:
            fitting += 1
        cuts = [i for i in range(1, fitting + 1) if link and _breaks_before(rest, i)]
        cut = max(cuts, default=fitting)
        pieces.append(rest[:cut])
        rest = rest[cut:]
    return [*pieces, rest] if rest else pieces


def _breaks_before(text: str, index: int) -> bool:
    if index >= len(text) or text[index] not in "?&/":
        return False
    # Not inside "//" (https://): the scheme stays whole.
    return text[index] != "/" or (text[index - 1] != "/" and text[index + 1 : index + 2] != "/")


def wrap(text: str, size: float, width: float, bold: bool = False, link: bool = False) -> list[str]:
    """Lines of ``text`` no wider than ``width`` points: words kept whole where they fit."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and text_width(candidate, size, bold) <= width:
            lines[-1] = candidate
        else:
            lines.extend(_split_long(word, size, width, bold, link))
    return lines


def wrap_link(link: str, size: float, width: float) -> list[str]:
    return wrap(link, size, width, link=True)


@dataclass(frozen=True, slots=True)
class Line:
    text: str
    size: float
    bold: bool = False
    colour: str = "black"
    link: bool = False

    @property
    def height(self) -> float:
        return self.size * 1.3


def _lines(texts: list[tuple[str, float, bool, str]], width: float) -> list[Line]:
    return [
        Line(piece, size, bold, colour)
        for text, size, bold, colour in texts
        for piece in wrap(text, size, width, bold)
    ]


@dataclass(frozen=True, slots=True)
class CardLayout:
    """A card's lines above and below its QR code, in points."""

    top: list[Line]
    bottom: list[Line]
    gap: float = 6.0

    @property
    def text_height(self) -> float:
        return sum(line.height for line in [*self.top, *self.bottom]) + 2 * self.gap


def layout(link: str, label: str, label_en: str | None, width: float) -> CardLayout:
    top = _lines(
        [(label or " ", 14, True, "black")]
        + ([(label_en, 11, False, "black")] if label_en else []),
        width,
    )
    bottom = _lines(
        [
            (CAPTIONS[0], 10, True, "black"),
            (CAPTIONS[1], 10, False, "black"),
            (TELEGRAM[0], 9, False, "#333333"),
            (TELEGRAM[1], 9, False, "#333333"),
        ],
        width,
    )
    bottom += [Line(part, LINK_SIZE, link=True) for part in wrap_link(link, LINK_SIZE, width)]
    return CardLayout(top, bottom)


def qr_matrix(link: str) -> list[list[bool]]:
    """The code's modules, quiet zone (4 modules) included."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(link)
    code.make(fit=True)
    return code.get_matrix()


def qr_image(link: str, box_size: int = 10) -> Image.Image:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(link)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")


def _qr_outline(matrix: list[list[bool]], left: float, top: float, size: float) -> Outline:
    """Dark modules as one compound path (runs merged per row), in points from the bottom
    left: one path filled once leaves no hairline seams between neighbouring squares."""
    module = size / len(matrix)
    vertices: list[tuple[float, float]] = []
    codes: list[int] = []
    for row, cells in enumerate(matrix):
        column = 0
        while column < len(cells):
            if not cells[column]:
                column += 1
                continue
            end = column
            while end < len(cells) and cells[end]:
                end += 1
            x0, x1 = left + column * module, left + end * module
            y1 = top - row * module
            y0 = y1 - module
            vertices += [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
            codes += [Outline.MOVETO, Outline.LINETO, Outline.LINETO, Outline.LINETO]
            codes += [Outline.CLOSEPOLY]
            column = end
    return Outline(vertices, codes)


def _draw_card(
    figure: Figure, link: str, card: CardLayout, left: float, top: float, width: float, qr: float
) -> None:
    """Draw ``card`` with its top edge at ``top`` (points from the page's bottom)."""
    to_pixels = _points(figure)
    y = top

    def write(line: Line) -> None:
        nonlocal y
        figure.text(
            left + width / 2, y - line.height / 2, line.text, transform=to_pixels,
            ha="center", va="center_baseline", fontsize=line.size,
            fontweight="bold" if line.bold else "normal", color=line.colour,
            gid="link" if line.link else None,
        )  # fmt: skip
        y -= line.height

    for line in card.top:
        write(line)
    y -= card.gap
    outline = _qr_outline(qr_matrix(link), left + (width - qr) / 2, y, qr)
    figure.add_artist(
        PathPatch(outline, transform=to_pixels, facecolor="black", edgecolor="none", lw=0)
    )
    y -= qr + card.gap
    for line in card.bottom:
        write(line)


def poster_figure(link: str, label: str, label_en: str | None = None) -> Figure:
    """One card for the chat: 4 inches wide (600 px at 150 dpi), as tall as its text."""
    margin = 14.0
    width = 4 * POINTS - 2 * margin
    card = layout(link, label, label_en, width)
    qr = width - 40
    height = card.text_height + qr + 2 * margin
    figure = Figure(figsize=(4, height / POINTS), dpi=DPI, facecolor="white")
    _draw_card(figure, link, card, margin, height - margin, width, qr)
    return figure


def poster_png(link: str, label: str, label_en: str | None = None) -> bytes:
    with matplotlib.rc_context(STYLE):
        return _png(poster_figure(link, label, label_en))


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI, facecolor="white")
    return out.getvalue()


Card = tuple[str, str, str | None]  # link, label, English label


def sheet(cards: list[Card], columns: int = 2, rows: int = 3) -> Iterator[Figure]:
    """A4 pages of cards, ``columns`` x ``rows`` each, with light cut lines between them."""
    page_width, page_height = (side / DPI * POINTS for side in A4_AT_150_DPI)
    cell_width, cell_height = page_width / columns, page_height / rows
    inset, padding = 6.0, 10.0  # cut line inside the cell; text inside the cut line
    width = cell_width - 2 * (inset + padding)
    # Fewer rows when a long label needs the room: a card never spills into the next.
    tallest = max((layout(*card, width).text_height for card in cards), default=0.0)
    fitting_rows = int(page_height // (tallest + MIN_QR + 2 * (inset + padding)))
    rows = max(1, min(rows, fitting_rows))
    cell_height = page_height / rows
    per_page = columns * rows
    for start in range(0, len(cards), per_page):
        figure = Figure(figsize=(page_width / POINTS, page_height / POINTS), dpi=DPI)
        to_pixels = _points(figure)
        for index, (link, label, label_en) in enumerate(cards[start : start + per_page]):
            column, row = index % columns, index // columns
            left = column * cell_width
            top = page_height - row * cell_height
            card = layout(link, label, label_en, width)
            room = cell_height - 2 * (inset + padding) - card.text_height
            # The QR code takes what the text leaves, never so little it will not scan.
            qr = max(MIN_QR, min(width, room))
            used = card.text_height + qr
            figure.add_artist(
                Rectangle(
                    (left + inset, top - cell_height + inset),
                    cell_width - 2 * inset,
                    cell_height - 2 * inset,
                    transform=to_pixels, fill=False, edgecolor="#bbbbbb", lw=0.5,
                )
            )  # fmt: skip
            # Centred vertically in its cell.
            _draw_card(
                figure, link, card, left + inset + padding,
                top - (cell_height - used) / 2, width, qr,
            )  # fmt: skip
        yield figure


def write_sheet(cards: list[Card], out: Path) -> Path:
    """Write the sheet as a PDF (every page) or a PNG (the first page, 150 dpi), by suffix."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with matplotlib.rc_context(STYLE):
        pages = sheet(cards)
        if out.suffix.lower() == ".png":
            out.write_bytes(_png(next(pages)))
        else:
            with PdfPages(out, metadata={"Title": "SDG scorecard invitation"}) as pdf:
                for page in pages:
                    pdf.savefig(page)
    return out
