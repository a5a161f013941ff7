"""Django's permission backend, reading a member's permissions in one query instead of two."""

from django.contrib.auth import backends
from django.contrib.auth.models import Permission
from django.db.models import Q


class ModelBackend(backends.ModelBackend):
    """
    Django's ModelBackend, except that the permissions a member holds directly and those
    of their roles (groups) are read together. Nearly every request by a member checks a
    permission, so this saves each of them a query. The answers, and the per-request
    cache they are kept in (``_perm_cache``, which allauth's backend, also a
    ModelBackend, reads too), are Django's own.
    """

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            held = Permission.objects.all()
            if not user_obj.is_superuser:
                held = held.filter(Q(user=user_obj) | Q(group__user=user_obj))
            pairs = held.values_list("content_type__app_label", "codename").order_by()
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in pairs}
        return user_obj._perm_cache
