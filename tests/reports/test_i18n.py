"""No untranslated user-facing string: every message of the code has a Dutch and a French
translation, and the committed .mo files (used on machines without GNU gettext) are the
compiled .po files."""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LANGUAGES = ("nl", "fr")
# What makemessages must not read: installed packages, data, collected static files.
IGNORED = (".venv", "var", "staticfiles", "node_modules", ".git", "docs")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]")


@dataclass
class Message:
    msgid: str
    msgid_plural: str | None = None
    # A context (pgettext) telling apart two uses of one English word ("job").
    msgctxt: str | None = None
    msgstr: list[str] = field(default_factory=list)
    fuzzy: bool = False
    obsolete: bool = False


def read_po(path: Path) -> list[Message]:
    """The messages of a .po file (the header excluded): enough of the format for what
    makemessages writes."""
    messages: list[Message] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.strip().splitlines() if line]
        if not lines:
            continue
        message = Message(msgid="")
        message.obsolete = all(line.startswith("#~") for line in lines)
        current: str | None = None
        for raw in lines:
            line = raw[3:] if raw.startswith("#~ ") else raw
            if line.startswith("#,") and "fuzzy" in line:
                message.fuzzy = True
            if line.startswith("#"):
                continue
            keyword, _, rest = line.partition(" ")
            if line.startswith('"'):
                value = ast.literal_eval(line)
            else:
                current, value = keyword, ast.literal_eval(rest)
                if current.startswith("msgstr"):
                    message.msgstr.append("")
            if current == "msgctxt":
                message.msgctxt = (message.msgctxt or "") + value
            elif current == "msgid":
                message.msgid += value
            elif current == "msgid_plural":
                message.msgid_plural = (message.msgid_plural or "") + value
            elif current and current.startswith("msgstr"):
                message.msgstr[-1] += value
        if message.msgid:
            messages.append(message)
    return messages


def catalogue(language: str) -> Path:
    return ROOT / "locale" / language / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_has_a_translation_that_is_not_fuzzy(language):
    messages = [m for m in read_po(catalogue(language)) if not m.obsolete]
    assert len(messages) > 300
    untranslated = [m.msgid for m in messages if not all(m.msgstr) or not m.msgstr]
    fuzzy = [m.msgid for m in messages if m.fuzzy]
    assert untranslated == [], f"{language}: {len(untranslated)} untranslated"
    assert fuzzy == [], f"{language}: {len(fuzzy)} fuzzy"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language):
    for message in read_po(catalogue(language)):
        if message.obsolete:
            continue
        sources = [message.msgid, message.msgid_plural or message.msgid]
        for index, translation in enumerate(message.msgstr):
            source = sources[min(index, 1)]
            expected = sorted(set(PLACEHOLDER.findall(source)))
            # A singular form may leave out the number ("1 action" as "une action").
            found = sorted(set(PLACEHOLDER.findall(translation)))
            assert found == expected or (index == 0 and set(found) <= set(expected)), (
                language,
                message.msgid,
                translation,
            )


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_mo_file_is_the_compiled_po_file(language):
    """Machines without GNU gettext use the committed .mo file: it must say what the .po says."""
    path = catalogue(language).with_suffix(".mo")
    with path.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for message in read_po(catalogue(language)):
        if message.obsolete:
            continue
        if message.msgid_plural:
            assert compiled.ngettext(message.msgid, message.msgid_plural, 1) == message.msgstr[0]
            assert compiled.ngettext(message.msgid, message.msgid_plural, 5) == message.msgstr[1]
        elif message.msgctxt is not None:
            assert compiled.pgettext(message.msgctxt, message.msgid) == message.msgstr[0]
        else:
            assert compiled.gettext(message.msgid) == message.msgstr[0], message.msgid


@pytest.mark.skipif(
    shutil.which("xgettext") is None,
    reason="GNU gettext (xgettext) is not installed: apt-get install gettext",
)
def test_the_catalogues_hold_every_message_of_the_code(tmp_path):
    """makemessages over a copy of the project finds no message the catalogues lack."""
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*IGNORED, "__pycache__"))
    languages = [f"-l={language}" for language in LANGUAGES]
    ignores = [f"--ignore={name}" for name in IGNORED]
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", *languages, *ignores],
        cwd=copy,
        env={**os.environ, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "crossborder.settings"},
        check=True,
        capture_output=True,
    )
    for language in LANGUAGES:
        committed = {m.msgid for m in read_po(catalogue(language)) if not m.obsolete}
        wanted = {
            m.msgid
            for m in read_po(copy / "locale" / language / "LC_MESSAGES" / "django.po")
            if not m.obsolete
        }
        assert sorted(wanted - committed) == [], f"{language}: run makemessages and translate"
