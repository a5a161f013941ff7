"""
The site's roles, as groups with permissions (moderation/roles.py, which also recreates
them after every later migrate and flush), and every member who has already confirmed an
address joins the Members role.
"""

from django.db import migrations

from moderation.roles import ROLES, ensure_roles


def create_roles(apps, schema_editor):
    ensure_roles(apps=apps, using=schema_editor.connection.alias)
    Group = apps.get_model("auth", "Group")
    EmailAddress = apps.get_model("account", "EmailAddress")
    User = apps.get_model("accounts", "User")
    members = Group.objects.get(name="Members")
    for user in User.objects.filter(
        pk__in=EmailAddress.objects.filter(verified=True).values("user_id")
    ):
        user.groups.add(members)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("moderation", "0001_initial"),
        ("discussions", "0003_moderation"),
        ("articles", "0001_initial"),
        ("accounts", "0001_initial"),
        ("account", "0009_emailaddress_unique_primary_email"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
