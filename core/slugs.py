"""Addresses made from names: the first free one of ``base``, ``base-2``, ``base-3``…"""

from django.db.models import QuerySet


def free_slug(rows: QuerySet, base: str, *, max_length: int, field: str = "slug") -> str:
    """
    ``base`` (cut to ``max_length``), or ``base-2``, ``base-3``… whichever none of ``rows``
    has taken yet: one query for every slug that starts like it. ``rows``: the table's
    rows that count (a row being renamed left out).
    """
    base = base[:max_length].strip("-")
    taken = set(
        rows.filter(**{f"{field}__startswith": base[: max_length - 4]}).values_list(
            field, flat=True
        )
    )
    slug, number = base, 2
    while slug in taken:
        suffix = f"-{number}"
        slug, number = base[: max_length - len(suffix)].strip("-") + suffix, number + 1
    return slug
