"""
One key per author, for the address of their page: ``/browse/authors/<key>/``.

The key is the author's ORCID iD when the paper gives one, otherwise a slug of the family
name and the initials of the given names ("Bianca Albers" → ``albers-b``). Every page and
the index compute keys with ``author_key`` only, so a link always finds its page.
"""

import re

from django.utils.text import slugify

ORCID_KEY = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")


def author_key(*, family_name: str, given_name: str = "", orcid: str = "") -> str:
    """The browse key of an author: ORCID iD if known, else family name and initials."""
    orcid = (orcid or "").strip().upper()
    if ORCID_KEY.match(orcid):
        return orcid
    initials = "".join(part[0] for part in re.split(r"[\s.\-]+", given_name or "") if part)
    text = f"{family_name} {initials}".strip()
    return slugify(text) or slugify(text, allow_unicode=True)


def is_orcid_key(key: str) -> bool:
    return bool(ORCID_KEY.match(key))
