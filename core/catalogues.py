"""
Compile the translation catalogues (``locale/*/LC_MESSAGES/*.po``) into the ``.mo`` files
Django reads, in Python (polib), so that setting up needs no GNU gettext.

``make install`` runs it (``python -m core.catalogues``), and so does the test suite at
start; a catalogue is compiled again only when its ``.po`` is newer than its ``.mo``.
Deployments run it at build time, beside ``collectstatic``.
"""

import sys
from pathlib import Path

import polib

LOCALE = Path(__file__).resolve().parent.parent / "locale"


def catalogues(root: Path = LOCALE) -> list[Path]:
    return sorted(root.glob("*/LC_MESSAGES/*.po"))


def compile_all(root: Path = LOCALE, *, force: bool = False) -> list[Path]:
    """Compile every catalogue whose ``.mo`` is missing or older; the ones compiled."""
    compiled = []
    for source in catalogues(root):
        target = source.with_suffix(".mo")
        if force or not target.exists() or target.stat().st_mtime < source.stat().st_mtime:
            polib.pofile(str(source)).save_as_mofile(str(target))
            compiled.append(target)
    return compiled


if __name__ == "__main__":
    for path in compile_all(force="--force" in sys.argv):
        print(f"compiled {path.relative_to(LOCALE.parent)}")
