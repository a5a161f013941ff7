"""
The site's roles, as groups with permissions. Views and services check permissions,
never ``is_staff``; giving someone a role is adding them to its group in the admin.

- Members: every member with a confirmed email address (added on confirmation).
- Hosts: write commentary and syntheses, open and close the discussions they host.
- Moderators: approve, hide and restore comments, lock threads, suspend members.
- Staff: curate papers, discussions and questions in the admin (also set "staff status").

The groups are (re)created after every ``migrate`` and ``flush``, like Django's own
permissions, so a database is never without them.
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions
from django.db import DEFAULT_DB_ALIAS

STAFF_MODELS = [
    ("articles", "article"),
    ("articles", "author"),
    ("articles", "abstractsection"),
    ("articles", "journal"),
    ("articles", "subject"),
    ("discussions", "discussion"),
    ("discussions", "question"),
    ("clubs", "club"),
    ("clubs", "membership"),
    ("clubs", "questiontemplate"),
]

ROLES: dict[str, list[str]] = {
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
        "accounts.view_suspension",
    ],
    "Staff": [
        f"{app}.{action}_{model}"
        for app, model in STAFF_MODELS
        for action in ("add", "change", "delete", "view")
    ]
    + ["discussions.view_comment", "accounts.view_user", "moderation.view_moderationaction"],
}


def ensure_roles(*, apps=global_apps, using: str = DEFAULT_DB_ALIAS) -> None:
    """Create any missing role group and give each group its permissions (idempotent)."""
    # The permissions may not exist yet: post_migrate reaches this app before later ones.
    for label in sorted(
        {dotted.split(".")[0] for codenames in ROLES.values() for dotted in codenames}
    ):
        create_permissions(global_apps.get_app_config(label), verbosity=0, using=using, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    wanted = {dotted for codenames in ROLES.values() for dotted in codenames}
    permissions = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.using(using).values_list(
            "pk", "content_type__app_label", "codename"
        )
        if f"{app_label}.{codename}" in wanted
    }
    for name, codenames in ROLES.items():
        group, _created = Group.objects.using(using).get_or_create(name=name)
        group.permissions.add(
            *(permissions[dotted] for dotted in codenames if dotted in permissions)
        )


def create_roles_after_migrate(sender, *, apps=global_apps, using=DEFAULT_DB_ALIAS, **kwargs):
    """``post_migrate`` receiver: runs after ``migrate`` and after ``flush``."""
    try:
        apps.get_model("auth", "Group")
        apps.get_model("moderation", "Flag")
    except LookupError:  # migrating backwards, or not migrated this far yet
        return
    ensure_roles(apps=apps, using=using)
