"""The state half of discussions 0006: follows leave notifications, their table stays."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_held_comments"),
        ("discussions", "0006_follow"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Follow")],
        ),
    ]
