import pytest
from django.core.exceptions import ValidationError

from core.identifiers import normalize_doi, normalize_issn, normalize_orcid


@pytest.mark.parametrize(
    "value",
    [
        "10.1186/s12913-020-05145-1",
        "10.1186/S12913-020-05145-1",
        "doi:10.1186/s12913-020-05145-1",
        "DOI: 10.1186/s12913-020-05145-1",
        "https://doi.org/10.1186/s12913-020-05145-1",
        "http://dx.doi.org/10.1186/s12913-020-05145-1",
        "doi.org/10.1186/s12913-020-05145-1",
        "  https://doi.org/10.1186%2Fs12913-020-05145-1  ",
        "info:doi/10.1186/s12913-020-05145-1",
    ],
)
def test_normalize_doi_accepts_common_forms(value):
    assert normalize_doi(value) == "10.1186/s12913-020-05145-1"


@pytest.mark.parametrize(
    "value", ["", "10.1186", "11.1186/abc", "hello", "10.12/abc", "10.1186/ a"]
)
def test_normalize_doi_rejects_what_is_not_a_doi(value):
    with pytest.raises(ValidationError):
        normalize_doi(value)


@pytest.mark.parametrize(
    "value",
    [
        "0000-0002-1825-0097",
        "000000021825009 7".replace(" ", ""),
        "https://orcid.org/0000-0002-1825-0097",
    ],
)
def test_normalize_orcid_accepts_bare_and_url_forms(value):
    assert normalize_orcid(value) == "0000-0002-1825-0097"


def test_normalize_orcid_accepts_x_check_character():
    assert normalize_orcid("0000-0002-9079-593x") == "0000-0002-9079-593X"


@pytest.mark.parametrize("value", ["0000-0002-1825-0098", "1234", "orcid"])
def test_normalize_orcid_rejects_bad_check_digits_and_formats(value):
    with pytest.raises(ValidationError):
        normalize_orcid(value)


def test_normalize_issn_checks_the_check_digit():
    assert normalize_issn("14726963") == "1472-6963"
    assert normalize_issn("2434-561x") == "2434-561X"
    with pytest.raises(ValidationError):
        normalize_issn("1472-6964")
