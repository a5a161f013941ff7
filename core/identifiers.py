"""
Scholarly identifiers: DOI, ORCID iD and ISSN.

Each identifier has one canonical stored form, so that equality and uniqueness are plain
string comparisons: a DOI is stored lower-case without resolver prefix (DOIs are
case-insensitive by definition), an ORCID iD and an ISSN in their hyphenated form with an
upper-case check character.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import unquote

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# A DOI is "10.<registrant>/<suffix>"; the suffix may contain almost anything but spaces.
_DOI_RE = re.compile(r"^10\.\d{4,9}(\.\d+)*/\S+$")
_DOI_PREFIXES = re.compile(
    r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/|(?:dx\.)?doi\.org/|info:doi/)", re.IGNORECASE
)


def normalize_doi(value: str) -> str:
    """
    Return the canonical form of a DOI given in any common notation.

    Accepts ``10.1186/ABC``, ``doi:10.1186/abc``, ``https://doi.org/10.1186/abc``,
    ``http://dx.doi.org/...`` and URL-encoded forms. Raises ValidationError otherwise.
    """
    doi = unquote(value.strip())
    doi = _DOI_PREFIXES.sub("", doi).strip().rstrip(".").lower()
    if not _DOI_RE.match(doi):
        raise ValidationError(
            _("“%(value)s” is not a DOI. A DOI looks like 10.1186/s12913-020-05145-1."),
            code="invalid_doi",
            params={"value": value},
        )
    return doi


def doi_url(doi: str) -> str:
    """The resolver URL of a normalised DOI."""
    return f"https://doi.org/{doi}"


_ORCID_RE = re.compile(r"^(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])$")
_ORCID_PREFIX = re.compile(r"^(?:https?://)?(?:www\.)?orcid\.org/", re.IGNORECASE)


def _orcid_check_digit(base_digits: str) -> str:
    """ISO 7064 MOD 11-2 check character, as ORCID specifies it."""
    total = 0
    for digit in base_digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def normalize_orcid(value: str) -> str:
    """
    Return an ORCID iD as ``0000-0002-1825-0097`` from a bare or URL form.

    Raises ValidationError when the format or the check digit is wrong.
    """
    raw = _ORCID_PREFIX.sub("", value.strip()).upper()
    match = _ORCID_RE.match(raw)
    if not match or _orcid_check_digit("".join(match.groups())[:15]) != match.group(4)[-1]:
        raise ValidationError(
            _("“%(value)s” is not a valid ORCID iD (e.g. 0000-0002-1825-0097)."),
            code="invalid_orcid",
            params={"value": value},
        )
    return "-".join(match.groups())


_ISSN_RE = re.compile(r"^(\d{4})-?(\d{3}[\dX])$")


def normalize_issn(value: str) -> str:
    """Return an ISSN as ``1472-6963``, checking its check digit."""
    raw = value.strip().upper()
    match = _ISSN_RE.match(raw)
    if match:
        digits = "".join(match.groups())
        total = sum(int(d) * w for d, w in zip(digits[:7], range(8, 1, -1), strict=True))
        check = (11 - total % 11) % 11
        if ("X" if check == 10 else str(check)) == digits[7]:
            return f"{digits[:4]}-{digits[4:]}"
    raise ValidationError(
        _("“%(value)s” is not a valid ISSN (e.g. 1472-6963)."),
        code="invalid_issn",
        params={"value": value},
    )


def validate_orcid(value: str) -> None:
    """Model field validator: the value must be a well-formed ORCID iD."""
    normalize_orcid(value)


def validate_issn(value: str) -> None:
    """Model field validator: the value must be a well-formed ISSN."""
    normalize_issn(value)


@contextmanager
def field_errors(field: str) -> Iterator[None]:
    """In a model's clean(), report a normaliser's ValidationError against ``field``."""
    try:
        yield
    except ValidationError as error:
        raise ValidationError({field: error.error_list}) from error
