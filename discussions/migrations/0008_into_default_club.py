"""
Every discussion belongs to a club: the discussions already on file go to one default,
public club anyone may join, so that a one-club site reads as it did. Their hosts become
the club's hosts. Reversible: going back takes the discussions out of the default club and
drops it. The column is added in the migration before and made required in the one after,
each in a transaction of its own: PostgreSQL will not alter a table while the foreign-key
checks of rows changed in the same transaction are still pending.
"""

from django.db import migrations

DEFAULT_SLUG = "journal-club"


def into_default_club(apps, schema_editor):
    Discussion = apps.get_model("discussions", "Discussion")
    if not Discussion.objects.exists():
        return
    Club = apps.get_model("clubs", "Club")
    Membership = apps.get_model("clubs", "Membership")
    club, _created = Club.objects.get_or_create(
        slug=DEFAULT_SLUG,
        defaults={"name": "Journal Club", "visibility": "public", "joining": "open"},
    )
    Discussion.objects.filter(club__isnull=True).update(club=club)
    for host_id in Discussion.objects.values_list("host_id", flat=True).distinct():
        Membership.objects.get_or_create(club=club, member_id=host_id, defaults={"role": "host"})


def out_of_default_club(apps, schema_editor):
    Discussion = apps.get_model("discussions", "Discussion")
    Club = apps.get_model("clubs", "Club")
    Discussion.objects.update(club=None)
    Club.objects.filter(slug=DEFAULT_SLUG).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("clubs", "0001_initial"),
        ("discussions", "0007_clubs"),
    ]

    operations = [
        migrations.RunPython(into_default_club, out_of_default_club),
    ]
