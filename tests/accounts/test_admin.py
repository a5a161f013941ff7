import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from tests.factories import UserFactory

MEMBERS = reverse("admin:accounts_user_changelist")


def _query_count(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_staff_add_a_member_with_a_profile(staff_client):
    response = staff_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": "bianca",
            "usable_password": "true",
            "password1": "a long passphrase for tests",
            "password2": "a long passphrase for tests",
            "display_name": "  Bianca Albers ",
            "email": "bianca@example.org",
            "affiliation": "Implementation researcher",
        },
    )

    assert response.status_code == 302
    member = User.objects.get(username="bianca")
    assert member.display_name == "Bianca Albers"
    assert member.email == "bianca@example.org"
    assert member.affiliation == "Implementation researcher"
    assert member.check_password("a long passphrase for tests")


def test_a_member_needs_a_display_name(staff_client):
    response = staff_client.post(
        reverse("admin:accounts_user_add"),
        {"username": "nameless", "usable_password": "false", "display_name": ""},
    )

    assert response.status_code == 200
    assert "display_name" in response.context["adminform"].form.errors
    assert not User.objects.filter(username="nameless").exists()


def test_staff_edit_a_members_profile_and_the_orcid_is_normalised(staff_client, member):
    joined = timezone.localtime(member.date_joined)
    data = {
        "username": member.username,
        "first_name": "",
        "last_name": "",
        "email": member.email,
        "display_name": member.display_name,
        "affiliation": "Research Impact Canada",
        "orcid": "0000000218250097",
        "bio": "Knowledge broker.",
        "is_active": "on",
        "date_joined_0": joined.date().isoformat(),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        "last_login_0": "",
        "last_login_1": "",
    }

    response = staff_client.post(reverse("admin:accounts_user_change", args=[member.pk]), data)

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.orcid == "0000-0002-1825-0097"
    assert (member.affiliation, member.bio) == ("Research Impact Canada", "Knowledge broker.")


def test_an_invalid_orcid_is_reported_once_in_the_admin(staff_client, member):
    joined = timezone.localtime(member.date_joined)
    data = {
        "username": member.username,
        "email": member.email,
        "display_name": member.display_name,
        "orcid": "0000-0002-1825-0098",
        "is_active": "on",
        "date_joined_0": joined.date().isoformat(),
        "date_joined_1": joined.strftime("%H:%M:%S"),
    }

    response = staff_client.post(reverse("admin:accounts_user_change", args=[member.pk]), data)

    assert response.status_code == 200
    assert len(response.context["adminform"].form.errors["orcid"]) == 1
    assert response.content.decode().count("is not a valid ORCID iD") == 1


def test_change_page_shows_the_profile_fields(staff_client, member):
    response = staff_client.get(reverse("admin:accounts_user_change", args=[member.pk]))

    form = response.context["adminform"].form
    assert {"display_name", "affiliation", "orcid", "bio"} <= set(form.fields)


def test_changelist_shows_display_name_and_email(staff_client):
    UserFactory(display_name="Carol Reader", email="carol@example.net")

    content = staff_client.get(MEMBERS).content.decode()

    assert "Carol Reader" in content
    assert "carol@example.net" in content


@pytest.mark.parametrize("term", ["Carol Reader", "carol@example.net", "creader"])
def test_members_are_found_by_display_name_email_and_username(staff_client, term):
    wanted = UserFactory(username="creader", display_name="Carol Reader", email="carol@example.net")
    UserFactory()

    response = staff_client.get(MEMBERS, {"q": term})

    assert list(response.context["cl"].result_list) == [wanted]


def test_member_changelist_query_count_does_not_grow_with_the_members(
    staff_client, django_assert_num_queries
):
    UserFactory.create_batch(2)  # with the signed-in staff member: three rows
    _query_count(staff_client, MEMBERS)  # warm up per-process caches
    expected = _query_count(staff_client, MEMBERS)
    UserFactory.create_batch(27)

    with django_assert_num_queries(expected):
        response = staff_client.get(MEMBERS)
    assert response.context["cl"].result_count == 30


def test_a_member_who_hosted_or_commented_cannot_be_deleted(staff_client, discussion):
    url = reverse("admin:accounts_user_delete", args=[discussion.host.pk])

    response = staff_client.post(url, {"post": "yes"})

    assert response.status_code == 200
    assert response.context["protected"]
    assert User.objects.filter(pk=discussion.host.pk).exists()


def test_createsuperuser_gives_an_account_that_signs_in_to_the_admin_at_once(client, db):
    """The README's way: `manage.py createsuperuser`, then sign in at /admin/."""
    import os
    from unittest import mock

    from django.core.management import call_command

    with mock.patch.dict(os.environ, {"DJANGO_SUPERUSER_PASSWORD": "a long admin passphrase"}):
        call_command(
            "createsuperuser",
            "--noinput",
            "--username",
            "admin",
            "--email",
            "admin@example.org",
            verbosity=0,
        )
    login = reverse("account_login") + "?next=" + reverse("admin:index")
    response = client.post(
        login,
        {"login": "admin@example.org", "password": "a long admin passphrase"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("admin:index")
    assert "Verify your email" not in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 200


def test_messages_name_members_by_their_display_name_not_their_username(client, db):
    member = UserFactory(username="omar_second", display_name="Omar Haddad")
    response = client.post(
        reverse("account_login"),
        {"login": member.email, "password": "correct horse"},
        follow=True,
    )
    page = response.content.decode()
    assert "signed in as Omar Haddad" in page
    assert "omar_second" not in page.split("<main", 1)[1].split("</main>", 1)[0]
