import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import services as account_services
from api import services
from api.models import SHOWN_LENGTH, TOKEN_LENGTH, ApiToken, token_digest
from tests.factories import UserFactory


@pytest.fixture
def member(db):
    return UserFactory()


def test_a_token_is_shown_once_and_only_its_digest_is_kept(member):
    token, secret = services.token_create(member=member, name="  Our site  ")
    assert secret.startswith("jc_")
    assert len(secret) == TOKEN_LENGTH
    assert token.name == "Our site"
    assert token.prefix == secret[:SHOWN_LENGTH]
    assert token.digest == token_digest(secret)
    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret not in str(stored)


def test_each_token_is_new(member):
    secrets = {services.token_create(member=member, name=f"t{n}")[1] for n in range(5)}
    assert len(secrets) == 5


def test_a_name_is_needed_and_taken_once_among_tokens_in_use(member):
    with pytest.raises(ValidationError) as blank:
        services.token_create(member=member, name="   ")
    assert "name" in blank.value.message_dict
    first, _secret = services.token_create(member=member, name="Script")
    with pytest.raises(ValidationError) as taken:
        services.token_create(member=member, name="Script")
    assert taken.value.message_dict["name"] == ["You already have a token with this name."]
    services.token_revoke(member=member, token=first)
    services.token_create(member=member, name="Script")  # the revoked one's name is free again
    services.token_create(member=UserFactory(), name="Script")  # and anyone else's


def test_a_member_holds_a_bounded_number_of_tokens(member):
    for number in range(services.MAX_TOKENS):
        services.token_create(member=member, name=f"t{number}")
    with pytest.raises(ValidationError, match="revoke one"):
        services.token_create(member=member, name="one too many")


def test_revoking_is_for_the_tokens_member_and_harmless_twice(member):
    token, _secret = services.token_create(member=member, name="Script")
    with pytest.raises(ApiToken.DoesNotExist):
        services.token_revoke(member=UserFactory(), token=token)
    revoked = services.token_revoke(member=member, token=token)
    assert revoked.revoked_at is not None
    again = services.token_revoke(member=member, token=token)
    assert again.revoked_at == revoked.revoked_at


def test_the_last_use_is_written_at_most_once_a_minute(member, django_assert_num_queries):
    token, _secret = services.token_create(member=member, name="Script")
    now = timezone.now()
    with django_assert_num_queries(1):
        services.token_used(token=token, at=now)
    with django_assert_num_queries(0):
        services.token_used(token=token, at=now + datetime.timedelta(seconds=59))
    with django_assert_num_queries(1):
        services.token_used(token=token, at=now + datetime.timedelta(seconds=61))
    token.refresh_from_db()
    assert token.last_used_at == now + datetime.timedelta(seconds=61)


def test_two_requests_at_once_write_the_last_use_once(member):
    token, _secret = services.token_create(member=member, name="Script")
    now = timezone.now()
    stale = ApiToken.objects.get(pk=token.pk)
    services.token_used(token=token, at=now)
    services.token_used(token=stale, at=now + datetime.timedelta(seconds=1))  # read before
    assert ApiToken.objects.get(pk=token.pk).last_used_at == now


def test_a_members_data_names_their_tokens_and_a_deleted_account_takes_them(member):
    services.token_create(member=member, name="Script")
    exported = account_services.member_export(member=member)
    (entry,) = exported["api_tokens"]
    assert entry["name"] == "Script"
    assert len(entry["starts_with"]) == SHOWN_LENGTH
    account_services.member_delete(member=member, remove_text=False)
    assert not ApiToken.objects.filter(member=member).exists()
