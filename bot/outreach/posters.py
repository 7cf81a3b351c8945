"""QR codes for invitation links: one PNG for the chat, printable sheets for partners.

Pure image work (CPU bound): callers run it off the event loop.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

import qrcode
from PIL import Image, ImageDraw, ImageFont
from qrcode.constants import ERROR_CORRECT_M

# Both languages on every poster, so one print serves every partner.
CAPTIONS = (
    "Quét mã để tham gia Thẻ điểm SDG cộng đồng",
    "Scan to take part in the community SDG scorecard",
)
# Fonts with Vietnamese diacritics, first found wins.
FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
)
A4_AT_150_DPI = (1240, 1754)


@cache
def _font_path() -> Path | None:
    candidates = list(FONT_CANDIDATES)
    try:
        import matplotlib

        candidates.insert(0, Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")
    except ImportError:
        pass
    return next((path for path in candidates if path.exists()), None)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = _font_path()
    if path is not None:
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size)


def qr_image(link: str, box_size: int = 10) -> Image.Image:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, box_size=box_size, border=4)
    code.add_data(link)
    code.make(fit=True)
    return code.make_image(fill_color="black", back_color="white").get_image().convert("RGB")


def _centered(draw: ImageDraw.ImageDraw, y: int, width: int, text: str, size: int) -> int:
    font = _font(size)
    # Long labels shrink until they fit the card.
    while draw.textlength(text, font=font) > width - 40 and size > 12:
        size -= 2
        font = _font(size)
    left = (width - draw.textlength(text, font=font)) / 2
    draw.text((left, y), text, fill="black", font=font)
    return y + int(size * 1.35)


def poster(link: str, label: str, width: int = 600, label_en: str | None = None) -> Image.Image:
    """One card: the partner label (and its English name), the QR code, captions, link."""
    code = qr_image(link).resize((width - 80, width - 80), Image.Resampling.NEAREST)
    card = Image.new("RGB", (width, width + 180), "white")
    draw = ImageDraw.Draw(card)
    y = _centered(draw, 16, width, label or " ", 34)
    if label_en:
        y = _centered(draw, y, width, label_en, 24)
    card.paste(code, (40, y))
    y += code.height + 4
    for caption in CAPTIONS:
        y = _centered(draw, y, width, caption, 20)
    y = _centered(draw, y, width, link, 14)
    return card.crop((0, 0, width, y + 12))


def poster_png(link: str, label: str) -> bytes:
    out = io.BytesIO()
    poster(link, label).save(out, format="PNG")
    return out.getvalue()


Card = tuple[str, str, str | None]  # link, label, English label


def sheet(cards: list[Card], columns: int = 2, rows: int = 3) -> list[Image.Image]:
    """A4 pages (150 dpi) of cards, ``columns`` x ``rows`` each, to print and cut."""
    page_width, page_height = A4_AT_150_DPI
    cell_width, cell_height = page_width // columns, page_height // rows
    card_width = min(cell_width - 30, cell_height - 210)
    pages: list[Image.Image] = []
    per_page = columns * rows
    for start in range(0, len(cards), per_page):
        page = Image.new("RGB", A4_AT_150_DPI, "white")
        draw = ImageDraw.Draw(page)
        for index, (link, label, label_en) in enumerate(cards[start : start + per_page]):
            column, row = index % columns, index // columns
            card = poster(link, label, card_width, label_en)
            left = column * cell_width + (cell_width - card.width) // 2
            top = row * cell_height + (cell_height - card.height) // 2
            page.paste(card, (left, top))
            # Light cut marks around each card.
            draw.rectangle(
                (left - 6, top - 6, left + card.width + 6, top + card.height + 6), outline="#bbbbbb"
            )
        pages.append(page)
    return pages


def write_sheet(cards: list[Card], out: Path) -> Path:
    """Write the sheet as a PDF (several pages) or a PNG (first page), by suffix."""
    pages = sheet(cards)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".png":
        pages[0].save(out, format="PNG")
    else:
        pages[0].save(out, format="PDF", resolution=150, save_all=True, append_images=pages[1:])
    return out
