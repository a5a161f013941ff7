"""
Every discussion belongs to a club: the discussions already on file go to one default,
public club anyone may join, so that a one-club site reads as it did. Their hosts become
the club's hosts. Reversible: going back drops the column and the default club. The column becomes
required in the next migration: PostgreSQL will not alter a table with the rows' foreign
key checks still pending in the same transaction.
"""

import django.db.models.deletion
from django.db import migrations, models

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
        ("discussions", "0006_follow"),
    ]

    operations = [
        migrations.AddField(
            model_name="discussion",
            name="club",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="discussions",
                to="clubs.club",
                verbose_name="club",
            ),
        ),
        migrations.RunPython(into_default_club, out_of_default_club),
    ]
