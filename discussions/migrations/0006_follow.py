"""
Follows move from notifications to discussions (following is something a reader does on a
discussion; notifications read it), keeping their table: the state moves, the database does
not change. The content type moves with the model, so permissions keep pointing at it.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor, *, source="notifications", target="discussions"):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label=source, model="follow").update(app_label=target)


def move_content_type_back(apps, schema_editor):
    move_content_type(apps, schema_editor, source="discussions", target="notifications")


class Migration(migrations.Migration):
    dependencies = [
        ("discussions", "0005_comment_version"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("notifications", "0002_held_comments"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Follow",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="followed")),
                        ("discussion", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="follows", to="discussions.discussion", verbose_name="discussion")),
                        ("member", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="follows", to=settings.AUTH_USER_MODEL, verbose_name="member")),
                        ("question", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="follows", to="discussions.question", verbose_name="question")),
                        ("thread", models.ForeignKey(blank=True, help_text="The top-level comment of the thread.", null=True, on_delete=django.db.models.deletion.CASCADE, related_name="follows", to="discussions.comment", verbose_name="thread")),
                    ],
                    options={
                        "verbose_name": "follow",
                        "verbose_name_plural": "follows",
                        "db_table": "notifications_follow",
                        "constraints": [
                            models.CheckConstraint(condition=models.Q(models.Q(("discussion__isnull", False), ("question__isnull", True), ("thread__isnull", True)), models.Q(("discussion__isnull", True), ("question__isnull", False), ("thread__isnull", True)), models.Q(("discussion__isnull", True), ("question__isnull", True), ("thread__isnull", False)), _connector="OR"), name="follow_exactly_one_target"),
                            models.UniqueConstraint(condition=models.Q(("discussion__isnull", False)), fields=("member", "discussion"), name="follow_discussion_once"),
                            models.UniqueConstraint(condition=models.Q(("question__isnull", False)), fields=("member", "question"), name="follow_question_once"),
                            models.UniqueConstraint(condition=models.Q(("thread__isnull", False)), fields=("member", "thread"), name="follow_thread_once"),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_type, move_content_type_back),
    ]
