"""An action's status as people read it, in each language (the stored ids are English)."""

from __future__ import annotations

from locales.i18n import N_, translator

STATUS_WORDS = {
    "agreed": N_("Agreed"),
    "in_progress": N_("In progress"),
    "done": N_("Done"),
    "dropped": N_("Dropped"),
}


def status_word(status: str, language: str) -> str:
    return translator(language)(STATUS_WORDS[status])
