"""The role groups survive anything that empties the tables."""

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from moderation.roles import ROLES, ensure_roles


def permissions_of(name: str) -> set[str]:
    group = Group.objects.get(name=name)
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_every_role_has_exactly_its_permissions(db):
    for name, codenames in ROLES.items():
        assert permissions_of(name) == set(codenames)


def test_ensuring_the_roles_twice_changes_nothing(db):
    ensure_roles()
    ensure_roles()
    assert Group.objects.filter(name__in=ROLES).count() == len(ROLES)


@pytest.mark.django_db(transaction=True)
def test_flush_brings_the_roles_back():
    call_command("flush", interactive=False, verbosity=0)
    assert set(Group.objects.values_list("name", flat=True)) >= set(ROLES)
    assert permissions_of("Moderators") == set(ROLES["Moderators"])
