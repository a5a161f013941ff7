"""
One key per author, for the address of their page: ``/browse/authors/<key>/``.

The key is the author's ORCID iD when the paper gives one, otherwise a slug of the family
name and the initials of the given names ("Bianca Albers" → ``albers-b``). Every page and
the index compute keys with ``author_key`` only, so a link and the page agree on the key.

The page itself exists once the index has filed a paper's authors under their keys
(``AuthorKey``, written by ``discovery.index``), which happens when a service writes the
paper, not when authors are written some other way (the demo loader, the admin, an
import) until ``rebuild_search_index`` runs: lists of papers therefore link only the
authors whose key is filed (``browse.author_pages``).
"""

import re

from django.utils.text import slugify

ORCID_KEY = re.compile(r"^\d{4}-\d{4}-\d{4}-\d{3}[\dX]$")
# As long as ``AuthorKey.key`` can hold: a link and the index must agree on a long name's key.
KEY_LENGTH = 200


def author_key(*, family_name: str, given_name: str = "", orcid: str = "") -> str:
    """The browse key of an author: ORCID iD if known, else family name and initials."""
    orcid = (orcid or "").strip().upper()
    if ORCID_KEY.match(orcid):
        return orcid
    initials = "".join(part[0] for part in re.split(r"[\s.\-]+", given_name or "") if part)
    text = f"{family_name} {initials}".strip()
    return (slugify(text) or slugify(text, allow_unicode=True))[:KEY_LENGTH]


def is_orcid_key(key: str) -> bool:
    return bool(ORCID_KEY.match(key))
