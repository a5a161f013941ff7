import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("discussions", "0008_into_default_club"),
    ]

    operations = [
        migrations.AlterField(
            model_name="discussion",
            name="club",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="discussions",
                to="clubs.club",
                verbose_name="club",
            ),
        ),
    ]
