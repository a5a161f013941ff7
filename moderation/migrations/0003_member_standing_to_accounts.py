"""The state half of accounts 0004: the models leave moderation, their tables stay."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0002_roles"),
        ("accounts", "0004_member_standing"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="CodeOfConductAgreement"),
                migrations.DeleteModel(name="Suspension"),
            ],
        ),
    ]
