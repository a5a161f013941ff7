"""
Suspensions and code-of-conduct agreements move from moderation to accounts (a member's
standing), keeping their tables: the state moves, the database does not change. Their
content types move with them, so permissions and admin history keep pointing at them.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def move_content_types(apps, schema_editor, *, source="moderation", target="accounts"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(
        app_label=source, model__in=["suspension", "codeofconductagreement"]
    ).update(app_label=target)


def move_content_types_back(apps, schema_editor):
    move_content_types(apps, schema_editor, source="accounts", target="moderation")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_manager"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("moderation", "0002_roles"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CodeOfConductAgreement",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("version", models.CharField(max_length=20, verbose_name="version")),
                        ("agreed_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="agreed")),
                        ("member", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="code_of_conduct", to=settings.AUTH_USER_MODEL, verbose_name="member")),
                    ],
                    options={
                        "verbose_name": "code of conduct agreement",
                        "verbose_name_plural": "code of conduct agreements",
                        "db_table": "moderation_codeofconductagreement",
                    },
                ),
                migrations.CreateModel(
                    name="Suspension",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("reason", models.TextField(verbose_name="reason")),
                        ("until", models.DateTimeField(blank=True, help_text="Empty: indefinitely.", null=True, verbose_name="until")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="created")),
                        ("lifted_at", models.DateTimeField(blank=True, null=True, verbose_name="lifted")),
                        ("created_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="by")),
                        ("member", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="suspensions", to=settings.AUTH_USER_MODEL, verbose_name="member")),
                    ],
                    options={
                        "verbose_name": "suspension",
                        "verbose_name_plural": "suspensions",
                        "db_table": "moderation_suspension",
                        "ordering": ["-created_at"],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
