"""Top-level URL configuration."""

from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static as serve_files
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import cache_control
from django.views.generic import RedirectView, TemplateView
from django.views.i18n import JavaScriptCatalog

from accounts import views as account_views
from config import health
from discovery import export_views

admin.site.site_header = _("Journal Club administration")
admin.site.site_title = _("Journal Club admin")
admin.site.index_title = _("Curate papers, discussions and members")
# Staff sign in through allauth's login, with its rate limits, not the admin's own form.
admin.site.login = secure_admin_login(admin.site.login)

# Every page in each language: English at its plain address, French under /fr/.
urlpatterns = i18n_patterns(
    # Before the discussions' "clubs/<slug>/" (a club's page): "clubs/new/" and the like.
    path("clubs/", include("clubs.urls")),
    path("", include("discussions.urls")),
    path("papers/", include("articles.urls")),
    # A member's API tokens, among their account settings (api/token_views.py).
    path("members/settings/api-tokens/", include("api.token_urls")),
    path("members/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("notifications/", include("notifications.urls")),
    path("moderation/", include("moderation.urls")),
    path(
        "code-of-conduct/",
        TemplateView.as_view(template_name="code_of_conduct.html"),
        name="code-of-conduct",
    ),
    path("admin/", admin.site.urls),
    path("", include("discovery.urls")),
    path("events/", include("events.urls")),
    path("", include("proceedings.urls")),
    # The strings of static/js in the page's language (Django's JavaScript catalogue);
    # browsers keep it for an hour.
    path(
        "jsi18n/",
        cache_control(max_age=60 * 60, public=True)(JavaScriptCatalog.as_view(domain="djangojs")),
        name="javascript-catalog",
    ),
    prefix_default_language=False,
)

urlpatterns += [
    path("language/<str:code>/", account_views.language_choose, name="language"),
    # Browsers and crawlers ask for /favicon.ico whatever the page links; the URL of the
    # static file (hashed in production) is only known once settings are loaded: lazily.
    path(
        "favicon.ico",
        RedirectView.as_view(
            url=lazy(static, str)("favicon.ico"),
            permanent=False,
            http_method_names=["get", "head"],
        ),
        name="favicon",
    ),
    # oEmbed cards of public discussions, for their addresses in every language (/fr/...).
    path("oembed", export_views.oembed_card, name="oembed"),
    path("healthz", health.healthz, name="healthz"),
    path("healthz/tasks", health.tasks, name="healthz-tasks"),
    # The read-only API: one address in every language, its version in the path (api/).
    path("api/", include("api.urls")),
]

if settings.DEBUG:  # uploads on this disk, served here locally (README, "Production")
    urlpatterns += serve_files(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"
