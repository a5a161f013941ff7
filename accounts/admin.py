from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.utils.translation import gettext_lazy as _

from .forms import OrcidOnceMixin
from .models import User
from .selectors import member_orcid_is_connected
from .signals import member_changed


class MemberChangeForm(OrcidOnceMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin, with the profile members fill in themselves."""

    form = MemberChangeForm
    fieldsets = (
        *DjangoUserAdmin.fieldsets[:2],
        (
            _("Profile"),
            {"fields": ("display_name", "affiliation", "orcid", "orcid_verified", "bio")},
        ),
        *DjangoUserAdmin.fieldsets[2:],
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Profile"), {"classes": ("wide",), "fields": ("display_name", "email", "affiliation")}),
    )
    list_display = ("username", "display_name", "email", "is_staff", "is_active", "date_joined")
    search_fields = ("username", "display_name", "email", "first_name", "last_name")
    ordering = ("username",)
    # Only signing in with ORCID verifies an iD: staff cannot.
    readonly_fields = ("orcid_verified",)

    def save_model(self, request, obj, form, change):
        if "orcid" in form.changed_data:  # typed: verified only if it is the connected one
            obj.orcid_verified = member_orcid_is_connected(obj)
        super().save_model(request, obj, form, change)
        if change:  # pages that show the member follow
            member_changed.send(sender=User, member=obj)
