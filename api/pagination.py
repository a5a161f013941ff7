"""
Cursor pagination: every list is read forward, a page at a time, by following ``next``.

A cursor is where the previous page ended (the values of the list's order for its last
item), signed with the site's secret key and bound to its list: a cursor that was altered,
made up, or taken from another list is refused with 400 (``InvalidCursor``), never
answered with some other page or a 404. Keyset pages cost the same whatever their depth
in the list (no OFFSET), and an item added meanwhile neither shifts nor repeats others.
"""

import dataclasses
import datetime
import re
from collections.abc import Sequence
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .problems import InvalidCursor, InvalidParameters

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
SALT = "api.cursor"
# Cursors are short (a few values); anything much longer was not made here.
MAX_CURSOR_LENGTH = 500
DIGITS = re.compile(r"[0-9]{1,4}")


def page_size(params) -> int:
    """The ``page_size`` asked for: a whole number from 1 to 200 (50 when not given)."""
    raw = params.get("page_size")
    if raw is None:
        return DEFAULT_PAGE_SIZE
    if DIGITS.fullmatch(raw) and 1 <= int(raw) <= MAX_PAGE_SIZE:
        return int(raw)
    raise InvalidParameters(
        {
            "page_size": [
                _("A whole number from 1 to %(max)s (default %(default)s).")
                % {"max": MAX_PAGE_SIZE, "default": DEFAULT_PAGE_SIZE}
            ]
        }
    )


def encode(scope: str, values: Sequence) -> str:
    """A cursor for the list ``scope`` after the item whose order values are ``values``."""
    return signing.dumps(
        [
            scope,
            [
                value.isoformat() if isinstance(value, datetime.datetime) else value
                for value in values
            ],
        ],
        salt=SALT,
    )


def decode(raw: str | None, scope: str) -> list | None:
    """The values a cursor of list ``scope`` carries (None: the first page), or 400."""
    if not raw:  # absent, or given empty: the first page
        return None
    if len(raw) > MAX_CURSOR_LENGTH:
        raise InvalidCursor()
    try:
        found_scope, values = signing.loads(raw, salt=SALT)
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidCursor() from None
    if found_scope != scope or not isinstance(values, list):
        raise InvalidCursor()
    return values


def next_url(request, cursor: str | None) -> str | None:
    """The address of the next page: this one's, with its filters and the new cursor."""
    if cursor is None:
        return None
    params = [(name, value) for name, value in request.query_params.items() if name != "cursor"]
    params.append(("cursor", cursor))
    return f"{settings.JOURNAL_CLUB_BASE_URL}{request.path}?{urlencode(params)}"


def moment(value) -> datetime.datetime:
    """A datetime a cursor carries (as ISO 8601), or 400."""
    found = parse_datetime(value) if isinstance(value, str) else None
    if found is None:
        raise InvalidCursor()
    return found


@dataclasses.dataclass(frozen=True)
class Order:
    """A list's order: fields, all ascending, the last one unique (``id``)."""

    fields: tuple[str, ...]
    datetimes: frozenset[str] = frozenset()

    def after(self, values: list) -> Q:
        """Rows after the one with these values: (a > x) or (a = x and b > y)..."""
        if len(values) != len(self.fields):
            raise InvalidCursor()
        parsed = []
        for field, value in zip(self.fields, values, strict=True):
            if field in self.datetimes:
                value = moment(value)
            elif not isinstance(value, int | str):
                raise InvalidCursor()
            parsed.append(value)
        condition = Q()
        for index, field in enumerate(self.fields):
            equal = {name: parsed[i] for i, name in enumerate(self.fields[:index])}
            condition |= Q(**equal, **{f"{field}__gt": parsed[index]})
        return condition

    def values_of(self, item) -> list:
        return [getattr(item, field) for field in self.fields]


def keyset_page(
    queryset: QuerySet, request, *, scope: str, order: Order
) -> tuple[list, str | None]:
    """
    One page of ``queryset`` in ``order`` after the request's cursor, and the next page's
    address (None on the last page): one query, one row more than the page to know.
    """
    size = page_size(request.query_params)
    values = decode(request.query_params.get("cursor"), scope)
    if values is not None:
        queryset = queryset.filter(order.after(values))
    rows = list(queryset.order_by(*order.fields)[: size + 1])
    if len(rows) <= size:
        return rows, None
    rows = rows[:size]
    return rows, next_url(request, encode(scope, order.values_of(rows[-1])))
