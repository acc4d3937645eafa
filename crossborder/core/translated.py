"""Texts kept in every language of the site (modeltranslation's `title_nl`, `title_fr`, ...): the
one rule for which language a page or report shows, and how it marks a text it could only show in
another language than the reader's."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import get_language


@dataclass(frozen=True)
class Text:
    """A text as shown to a reader of `wanted`: in `language`, which differs from `wanted` when
    the text was not written in the reader's language (None when there is no text at all)."""

    value: str
    language: str | None
    wanted: str

    @property
    def foreign(self) -> bool:
        return bool(self.value) and self.language != self.wanted

    def __str__(self) -> str:
        return self.value


def site_languages() -> tuple[str, ...]:
    return tuple(code for code, _name in settings.LANGUAGES)


def text_in(obj: Any, field_name: str, language: str | None = None) -> Text:
    """The text of a translated field in `language` (the active one by default), else in the
    first language it was written in, following the settings' fallback order."""
    wanted = (language or get_language() or settings.LANGUAGE_CODE)[:2]
    fallbacks = getattr(settings, "MODELTRANSLATION_FALLBACK_LANGUAGES", site_languages())
    for code in (wanted, *fallbacks, *site_languages()):
        value = getattr(obj, f"{field_name}_{code}", None) or ""
        if value.strip():
            return Text(value, code, wanted)
    return Text("", None, wanted)


def missing_languages(obj: Any, field_name: str) -> list[str]:
    """The languages of the site a translated field has no text in, when it has one in any:
    what the admin lists as translations still to write."""
    filled = [
        code
        for code in site_languages()
        if (getattr(obj, f"{field_name}_{code}", "") or "").strip()
    ]
    if not filled:
        return []
    return [code for code in site_languages() if code not in filled]
