"""Where a reader finds the public results site in their language."""

from __future__ import annotations

from html import escape

from locales.i18n import translator

ENGLISH = "en"  # the English pages' folder; Vietnamese pages are at the root


def site_address(url: str, language: str) -> str:
    """The site's home page in ``language``: the root (Vietnamese) or ``en/``."""
    base = url.rstrip("/") + "/"
    return base + (f"{ENGLISH}/" if language == ENGLISH else "")


def site_line(url: str | None, language: str) -> list[str]:
    """A Telegram HTML line linking the site, or nothing when ``[publish] url`` is unset."""
    if not url:
        return []
    _ = translator(language)
    address = escape(site_address(url, language), quote=True)
    label = escape(_("All results, by group, region and area, with the quality statement"))
    return [f'<a href="{address}">{label}</a>']
