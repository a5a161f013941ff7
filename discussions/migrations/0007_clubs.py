import django.db.models.deletion
from django.db import migrations, models


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
    ]
