"""
The site's roles, as groups with permissions. Views and services check permissions,
never ``is_staff``; giving someone a role is adding them to its group in the admin.

- Members: every member with a confirmed email address (added on confirmation).
- Hosts: write commentary and syntheses, open and close the discussions they host.
- Moderators: approve, hide and restore comments, lock threads, suspend members.
- Staff: curate papers, discussions and questions in the admin (also set "staff status").
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "Members": [
        "discussions.add_comment",
        "discussions.add_reaction",
        "moderation.add_flag",
    ],
    "Hosts": [
        "discussions.host_discussion",
    ],
    "Moderators": [
        "moderation.moderate_comments",
        "moderation.moderate_members",
        "moderation.lock_threads",
        "moderation.view_moderationaction",
        "moderation.view_flag",
        "moderation.view_suspension",
    ],
    "Staff": [
        f"{app}.{action}_{model}"
        for app, model in [
            ("articles", "article"),
            ("articles", "author"),
            ("articles", "abstractsection"),
            ("articles", "journal"),
            ("articles", "subject"),
            ("discussions", "discussion"),
            ("discussions", "question"),
        ]
        for action in ("add", "change", "delete", "view")
    ]
    + ["discussions.view_comment", "accounts.view_user", "moderation.view_moderationaction"],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
    # Everyone who has already confirmed an address is a member.
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
