"""
Query parameters: each endpoint names the ones it takes, and anything else is a 400.

An unknown parameter is refused rather than ignored (a typo such as ``?stauts=open`` would
otherwise return every discussion, silently); so is a parameter given twice, a value with a
NUL character (which PostgreSQL refuses), or one that cannot be what the parameter names.
The messages name each parameter at fault (``InvalidParameters``).
"""

import datetime
import re
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from core.identifiers import normalize_doi

from .problems import InvalidParameters, UnknownParameters

# Longer values are no slug, DOI or date: refused before they reach a query.
MAX_LENGTH = 1000
SLUG = re.compile(r"[-a-zA-Z0-9_]+")
DIGITS = re.compile(r"[0-9]{1,9}")
TRUE, FALSE = frozenset({"true", "1"}), frozenset({"false", "0"})
# Names echoed in a refusal are cut to this length (a name may be anything a client sent).
SHOWN_NAME = 60


def read(request, allowed: Sequence[str]) -> dict[str, str]:
    """The request's query parameters, each given once, all among ``allowed``; else 400."""
    query = request.query_params
    unknown = [name[:SHOWN_NAME] for name in query if name not in allowed]
    if unknown:
        raise UnknownParameters(sorted(unknown), list(allowed))
    errors: dict[str, list[str]] = {}
    for name in query:
        values = query.getlist(name)
        if len(values) > 1:
            errors[name] = [_("Give this parameter once.")]
        elif "\x00" in values[0] or len(values[0]) > MAX_LENGTH:
            errors[name] = [_("This value cannot be right.")]
    if errors:
        raise InvalidParameters(errors)
    return {name: query[name] for name in query}


def slug(params: dict[str, str], name: str) -> str | None:
    """A slug (letters, digits, hyphens, underscores), or None when not given."""
    value = params.get(name)
    if value is None:
        return None
    if not SLUG.fullmatch(value):
        raise InvalidParameters({name: [_("A slug: letters, digits, hyphens and underscores.")]})
    return value


def doi(params: dict[str, str], name: str) -> str | None:
    """A DOI in any common form (``doi:``, ``https://doi.org/``...), normalised."""
    value = params.get(name)
    if value is None:
        return None
    try:
        return normalize_doi(value)
    except ValidationError as error:
        raise InvalidParameters({name: [str(message) for message in error.messages]}) from None


def doi_or_slug(params: dict[str, str], name: str) -> tuple[str, str] | None:
    """("doi", normalised DOI) or ("slug", slug): a paper named either way."""
    value = params.get(name)
    if value is None:
        return None
    try:
        return "doi", normalize_doi(value)
    except ValidationError:
        pass
    if SLUG.fullmatch(value):
        return "slug", value
    raise InvalidParameters({name: [_("A paper's DOI (e.g. 10.1186/s12913-020-05145-1) or slug.")]})


def whole_number(params: dict[str, str], name: str, *, maximum: int) -> int | None:
    """A whole number from 1 to ``maximum``, or None when not given."""
    value = params.get(name)
    if value is None:
        return None
    if DIGITS.fullmatch(value) and 1 <= int(value) <= maximum:
        return int(value)
    raise InvalidParameters(
        {name: [_("A whole number from 1 to %(maximum)s.") % {"maximum": maximum}]}
    )


def boolean(params: dict[str, str], name: str) -> bool | None:
    """``true`` or ``false`` (``1`` or ``0``), or None when not given."""
    value = params.get(name)
    if value is None:
        return None
    if value.lower() in TRUE:
        return True
    if value.lower() in FALSE:
        return False
    raise InvalidParameters({name: [_("“true” or “false”.")]})


def choice(params: dict[str, str], name: str, choices: Sequence[str]) -> str | None:
    value = params.get(name)
    if value is None or value in choices:
        return value
    raise InvalidParameters({name: [_("One of: %(choices)s.") % {"choices": ", ".join(choices)}]})


def moment(params: dict[str, str], name: str) -> datetime.datetime | None:
    """
    An ISO 8601 date and time (``2026-03-01T09:00:00Z``; without a zone, UTC) or a date
    (midnight UTC), as an aware datetime; None when not given.
    """
    value = params.get(name)
    if value is None:
        return None
    # RFC 3339 allows "t" and "z" in lower case; Python's parser does not.
    text = value.strip().upper()
    try:
        found = parse_datetime(text)
        if found is None:
            day = parse_date(text)
            if day is not None:
                found = datetime.datetime.combine(day, datetime.time())
        if found is not None:
            if timezone.is_naive(found):
                found = found.replace(tzinfo=datetime.UTC)
            return found.astimezone(datetime.UTC)
    except (ValueError, OverflowError):
        pass
    raise InvalidParameters(
        {name: [_("An ISO 8601 date and time, e.g. 2026-03-01T09:00:00Z, or a date.")]}
    )
