"""
The translation catalogues cannot rot: every string of the code is in them, translated,
not fuzzy, and with the placeholders of its English, so that a broken translation fails
here and not on a page.
"""

import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from core.catalogues import compile_all

LOCALE = Path(settings.BASE_DIR) / "locale"
CATALOGUES = sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))
# What Django's makemessages leaves out (the Makefile's `make messages` says the same).
IGNORED = ["venv", ".venv", "node_modules", "tests", "bench", "staticfiles"]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]|\{(\w*)\}")


def placeholders(text: str, *, brace: bool) -> list[str]:
    """The placeholders of a message, sorted: %(name)s, %s, and {name} in brace format."""
    found = []
    for match in PLACEHOLDER.finditer(text.replace("%%", "")):
        if match.group(0).startswith("{") and not brace:
            continue
        found.append(match.group(0))
    return sorted(found)


def problems(catalogue: polib.POFile) -> list[str]:
    """Entries not translated, fuzzy, or whose placeholders differ from the English."""
    found = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        name = entry.msgid[:60]
        if "fuzzy" in entry.flags:
            found.append(f"fuzzy: {name!r}")
        brace = "python-brace-format" in entry.flags
        if entry.msgid_plural:
            forms = entry.msgstr_plural
            if not forms or not all(forms.values()):
                found.append(f"untranslated: {name!r}")
                continue
            expected = placeholders(entry.msgid_plural, brace=brace)
            for index, text in sorted(forms.items()):
                got = placeholders(text, brace=brace)
                # French uses its first form for 0 and 1: it may name the count or not.
                allowed = {tuple(expected), tuple(placeholders(entry.msgid, brace=brace))}
                if index == 0:
                    allowed.add(tuple(p for p in expected if "count" not in p))
                if tuple(got) not in allowed:
                    found.append(f"placeholders {got} in form {index} of {name!r}: {expected}")
        else:
            if not entry.msgstr:
                found.append(f"untranslated: {name!r}")
                continue
            expected = placeholders(entry.msgid, brace=brace)
            got = placeholders(entry.msgstr, brace=brace)
            if got != expected:
                found.append(f"placeholders {got} in {name!r}: {expected}")
    return found


def test_there_are_french_catalogues():
    names = {path.name for path in CATALOGUES if path.parent.parent.name == "fr"}
    assert names == {"django.po", "djangojs.po"}


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: str(path.relative_to(LOCALE)))
def test_every_entry_is_translated_and_keeps_its_placeholders(path):
    catalogue = polib.pofile(str(path))
    assert catalogue.metadata.get("Language") == path.parent.parent.name
    assert problems(catalogue) == []


def test_a_translation_missing_a_placeholder_is_caught(tmp_path):
    broken = tmp_path / "django.po"
    broken.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        "#, python-format\n"
        'msgid "Hello %(name)s"\nmsgstr "Bonjour %(nom)s"\n\n'
        'msgid "Say {what}"\nmsgstr "Dites"\n\n'
        "#, python-brace-format\n"
        'msgid "Reply to {name}"\nmsgstr "Répondre"\n\n'
        "#, fuzzy\n"
        'msgid "Close"\nmsgstr "Fermer"\n\n'
        'msgid "Open"\nmsgstr ""\n\n'
        'msgid "%(count)s reply"\nmsgid_plural "%(count)s replies"\n'
        'msgstr[0] "%(count)s réponse"\nmsgstr[1] "réponses"\n',
        encoding="utf-8",
    )
    found = problems(polib.pofile(str(broken)))
    assert len(found) == 5, found
    assert "placeholders ['%(nom)s'] in 'Hello %(name)s': ['%(name)s']" in found
    assert "placeholders [] in 'Reply to {name}': ['{name}']" in found
    assert "fuzzy: 'Close'" in found
    assert "untranslated: 'Open'" in found


def test_a_missing_placeholder_would_have_broken_the_page():
    """Why the test above matters: Django fills a translation with the English's names."""
    translated, values = "Bonjour %(nom)s", {"name": "Ada"}
    with pytest.raises(KeyError):
        _ = translated % values  # what {% blocktranslate %} does with the English's names


@pytest.mark.skipif(not shutil.which("xgettext"), reason="GNU gettext (xgettext) not installed")
def test_the_catalogues_hold_every_string_of_the_code(tmp_path):
    """makemessages, run now on a copy of the code, finds no string the catalogues lack."""
    # On a copy: makemessages writes beside the code it reads, whatever LOCALE_PATHS says.
    copy = tmp_path / "project"
    shutil.copytree(
        settings.BASE_DIR,
        copy,
        ignore=shutil.ignore_patterns(
            *IGNORED, ".git", "media", "*.mo", "__pycache__", "*.sqlite3"
        ),
    )
    scratch = copy / "locale"
    here = os.getcwd()
    os.chdir(copy)
    try:
        with override_settings(LOCALE_PATHS=[scratch]):
            for domain, extra in (("django", ["static"]), ("djangojs", [])):
                call_command(
                    "makemessages",
                    locale=["fr"],
                    domain=domain,
                    ignore_patterns=[*IGNORED, *extra],
                    verbosity=0,
                )
    finally:
        os.chdir(here)
    for fresh in sorted(scratch.glob("fr/LC_MESSAGES/*.po")):
        committed = polib.pofile(str(LOCALE / "fr" / "LC_MESSAGES" / fresh.name))
        known = {(entry.msgctxt, entry.msgid) for entry in committed if not entry.obsolete}
        missing = [
            entry.msgid[:60]
            for entry in polib.pofile(str(fresh))
            if (entry.msgctxt, entry.msgid) not in known
        ]
        assert missing == [], f"{fresh.name}: run `make messages` and translate"


def test_french_is_what_a_french_page_uses():
    with translation.override("fr"):
        assert translation.gettext("Search") == "Rechercher"


def test_a_catalogue_not_compiled_is_reported_by_the_system_checks(tmp_path, monkeypatch):
    from core import checks

    source = tmp_path / "fr" / "LC_MESSAGES" / "django.po"
    source.parent.mkdir(parents=True)
    source.write_text('msgid ""\nmsgstr ""\n', encoding="utf-8")
    monkeypatch.setattr(checks, "catalogues", lambda: [source])
    monkeypatch.setattr(checks, "LOCALE", tmp_path)
    (warning,) = checks.catalogues_compiled(None)
    assert warning.id == "core.W001"
    assert "fr/LC_MESSAGES/django.po" in warning.msg
    compile_all(tmp_path)
    assert checks.catalogues_compiled(None) == []
