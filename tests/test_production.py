"""
Production serving: the health check, static files, request logs, the cache backends and
what makes the app stateless (so that several app servers can run side by side).

Settings are read from the environment once, at import, so the tests of what the
environment switches on run ``config.settings`` in a fresh interpreter. The Redis tests use
the server at 127.0.0.1:6379 (database 15, keys under a random prefix that they remove);
without one they are skipped, unless JOURNAL_CLUB_REQUIRE_REDIS=1 (CI) makes that a failure.
"""

import datetime
import gzip
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from unittest import mock

import httpx
import pytest
import redis
from django.apps import apps
from django.core.management import call_command
from django.db import OperationalError, models
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from config.logging import JSONFormatter
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("JOURNAL_CLUB_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
REDIS_REQUIRED = os.environ.get("JOURNAL_CLUB_REQUIRE_REDIS") == "1"
MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
TEN_YEARS = 315360000


def production_settings(**env: str) -> dict:
    """Selected settings as ``config.settings`` computes them in a fresh process."""
    script = """
import json
from config import settings as s
print(json.dumps({
    "DEBUG": s.DEBUG,
    "CACHES": s.CACHES,
    "DATABASES": s.DATABASES,
    "SESSION_ENGINE": getattr(s, "SESSION_ENGINE", "django.contrib.sessions.backends.db"),
    "STORAGES": s.STORAGES,
    "MIDDLEWARE": s.MIDDLEWARE,
    "LOGGING": s.LOGGING,
    "TASKS": getattr(s, "TASKS", None),
    "SECURE_REDIRECT_EXEMPT": s.SECURE_REDIRECT_EXEMPT,
    "ALLAUTH_TRUSTED_PROXY_COUNT": s.ALLAUTH_TRUSTED_PROXY_COUNT,
}, default=str))
"""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_"))}
    clean.pop("DATABASE_URL", None)
    result = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script],
        env={**clean, "DJANGO_SECRET_KEY": "x" * 50, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


# --- /healthz --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_ok_after_asking_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "databases": {"default": "ok"}}
    assert "no-cache" in response["Cache-Control"]
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_down(client, caplog):
    with mock.patch(
        "django.db.backends.base.base.BaseDatabaseWrapper.cursor",
        side_effect=OperationalError("connection refused"),
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "databases": {"default": "unavailable"}}
    assert "database 'default' is unavailable" in caplog.text


DATABASE_DOWN = mock.patch(
    "django.db.backends.base.base.BaseDatabaseWrapper.cursor",
    side_effect=OperationalError("server closed the connection unexpectedly"),
)


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_is_down_whatever_cookies_come(member_client):
    """A session cookie makes middleware read the session; the check comes before them."""
    with DATABASE_DOWN:
        response = member_client.get("/healthz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


@pytest.mark.django_db
@pytest.mark.parametrize("signed_in", [False, True])
def test_a_page_read_while_the_database_is_out_of_reach_answers_503_to_retry(
    client, member, signed_in
):
    if signed_in:
        client.force_login(member)
    client.raise_request_exception = False
    with DATABASE_DOWN:
        response = client.get("/")
        fragment = client.get("/", HTTP_HX_REQUEST="true")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "The site is briefly unavailable" in response.content.decode()
    assert fragment.status_code == 503
    assert "briefly%20unavailable" in fragment["X-Message"]


@pytest.mark.django_db
def test_any_other_error_is_still_a_500(client, monkeypatch):
    from discussions import views

    monkeypatch.setattr(views, "_get_discussion", mock.Mock(side_effect=ValueError("a bug")))
    client.raise_request_exception = False
    response = client.get("/discussions/anything/")
    assert response.status_code == 500
    assert "Retry-After" not in response


@pytest.mark.django_db
def test_healthz_tasks_answers_503_once_a_task_waits_too_long(client, settings):
    from django_tasks_db.models import DBTaskResult

    from notifications import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    assert client.get(reverse("healthz-tasks")).json()["status"] == "ok"
    result = tasks.send_immediate_emails.enqueue()
    assert client.get(reverse("healthz-tasks")).status_code == 200
    DBTaskResult.objects.filter(pk=result.id).update(
        enqueued_at=timezone.now()
        - datetime.timedelta(seconds=settings.JOURNAL_CLUB_TASKS_STALE + 1)
    )
    response = client.get(reverse("healthz-tasks"))
    assert response.status_code == 503
    assert response.json()["status"] == "behind"
    assert response.json()["waiting"] == 1


@pytest.mark.django_db
@override_settings(SECURE_SSL_REDIRECT=True)
def test_healthz_is_reachable_over_plain_http_when_pages_redirect_to_https(client):
    assert client.get("/").status_code == 301
    assert client.get("/healthz").status_code == 200


# --- Request logs -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_each_request_is_logged_once_with_its_facts(client, caplog):
    member = UserFactory()
    client.force_login(member)
    caplog.set_level(logging.INFO, logger="journal_club.request")

    response = client.get("/no-such-page/?q=secret", HTTP_X_REQUEST_ID="req-123")

    records = [r for r in caplog.records if r.name == "journal_club.request"]
    assert len(records) == 1
    record = records[0]
    assert record.getMessage() == "GET /no-such-page/ 404"
    assert (record.method, record.path, record.status) == ("GET", "/no-such-page/", 404)
    assert record.request_id == "req-123" == response["X-Request-ID"]
    assert record.user_id == member.pk
    assert record.duration_ms >= 0
    assert "secret" not in json.dumps(vars(record), default=str)


@pytest.mark.django_db
def test_a_request_id_that_is_not_plain_is_replaced(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="x" * 65)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    response = client.get("/healthz", HTTP_X_REQUEST_ID='bad"\nvalue')
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_json_lines_carry_the_extra_fields_and_the_traceback():
    record = logging.makeLogRecord(
        {"name": "journal_club.request", "levelno": 40, "levelname": "ERROR", "msg": "%s %s"}
    )
    record.args = ("GET", "/")
    record.status = 500
    record.request_id = "abc"
    try:
        raise ValueError("boom")
    except ValueError:
        record.exc_info = sys.exc_info()

    line = JSONFormatter().format(record)

    assert "\n" not in line
    payload = json.loads(line)
    assert payload["message"] == "GET /"
    assert payload["level"] == "ERROR"
    assert payload["status"] == 500
    assert payload["request_id"] == "abc"
    assert "ValueError: boom" in payload["exception"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", payload["time"])


# --- Static files -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def collected_static(tmp_path_factory):
    """collectstatic into a fresh directory with production's fingerprinting storage."""
    root = tmp_path_factory.mktemp("staticfiles")
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": MANIFEST_STORAGE},
    }
    with override_settings(STATIC_ROOT=root, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    return root, storages


@pytest.mark.django_db
def test_static_files_are_fingerprinted_compressed_and_cached_for_years(collected_static):
    root, storages = collected_static
    with override_settings(STATIC_ROOT=root, STORAGES=storages):
        client = Client()  # a fresh handler: WhiteNoise indexes STATIC_ROOT when it starts
        page = client.get("/").content.decode()
        stylesheet = re.search(r'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page)
        assert stylesheet, "the page links the fingerprinted stylesheet"
        assert (root / "css" / "site.css.gz").exists()

        response = client.get(stylesheet.group(1), HTTP_ACCEPT_ENCODING="gzip")

        assert response.status_code == 200
        assert response["Content-Encoding"] == "gzip"
        assert f"max-age={TEN_YEARS}" in response["Cache-Control"]
        assert "immutable" in response["Cache-Control"]
        body = gzip.decompress(b"".join(response.streaming_content))
        # The stylesheet as written, but for its fonts, linked by their fingerprinted names.
        fonts = re.findall(rb"fonts/inter-[a-z-]+\.[0-9a-f]{12}\.woff2", body)
        assert len(fonts) == 4
        assert all((root / name.decode()).exists() for name in fonts)
        unfingerprinted = re.sub(rb"\.[0-9a-f]{12}\.woff2", b".woff2", body)
        assert unfingerprinted == (ROOT / "static" / "css" / "site.css").read_bytes()

        unhashed = client.get("/static/css/site.css")
        assert "immutable" not in unhashed.get("Cache-Control", "")


def test_production_settings_fingerprint_static_files_and_keep_connections():
    settings = production_settings()
    assert settings["DEBUG"] is False
    assert settings["STORAGES"]["staticfiles"]["BACKEND"] == MANIFEST_STORAGE
    database = settings["DATABASES"]["default"]
    assert database["CONN_MAX_AGE"] > 0
    assert database["CONN_HEALTH_CHECKS"] is True
    middleware = settings["MIDDLEWARE"]
    assert middleware[0] == "config.logging.RequestLogMiddleware"
    # WhiteNoise answers static files before sessions, CSRF or authentication run.
    assert middleware.index("whitenoise.middleware.WhiteNoiseMiddleware") < middleware.index(
        "django.contrib.sessions.middleware.SessionMiddleware"
    )
    assert settings["LOGGING"]["handlers"]["console"]["formatter"] == "json"
    assert production_settings(DJANGO_DEBUG="1")["LOGGING"]["handlers"]["console"]["formatter"] == (
        "text"
    )


# --- Cache backends ------------------------------------------------------------------------------


def test_cache_is_local_memory_by_default_and_redis_with_redis_url():
    assert production_settings()["CACHES"]["default"]["BACKEND"] == (
        "django.core.cache.backends.locmem.LocMemCache"
    )
    redis = production_settings(REDIS_URL="redis://cache.internal:6379/0")["CACHES"]["default"]
    assert redis["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert redis["LOCATION"] == "redis://cache.internal:6379/0"


@pytest.fixture
def redis_prefix():
    """A key prefix of our own on the test Redis; its keys are removed afterwards."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError:
        if REDIS_REQUIRED:
            pytest.fail(f"no Redis at {REDIS_URL}, but JOURNAL_CLUB_REQUIRE_REDIS=1")
        pytest.skip(f"no Redis at {REDIS_URL}")
    prefix = f"jc-test-{uuid.uuid4().hex}"
    yield prefix
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    client.close()


def redis_caches(prefix: str) -> dict:
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }


@pytest.mark.django_db
def test_the_site_works_with_the_redis_cache_and_its_rate_limits_apply(client, redis_prefix):
    """allauth's rate limits (five password resets a minute per address) count in Redis."""
    with override_settings(CACHES=redis_caches(redis_prefix)):
        from django.core.cache import cache

        assert client.get("/").status_code == 200
        url = reverse("account_reset_password")
        statuses = [
            client.post(url, {"email": "someone@example.org"}).status_code for _ in "123456"
        ]
        assert statuses == [302] * 5 + [429]
        assert redis.Redis.from_url(REDIS_URL).keys(f"{redis_prefix}*"), "counters are in Redis"
        cache.set("probe", 1)
        assert cache.incr("probe") == 2


def test_two_app_servers_share_the_redis_cache(redis_prefix):
    """What one server process counts (a rate limit, say), another process sees."""
    from django.core.cache.backends.redis import RedisCache

    here = RedisCache(REDIS_URL, {"KEY_PREFIX": redis_prefix})
    here.set("attempts", 3)
    script = f"""
import django
from django.conf import settings
django.setup()
settings.CACHES["default"]["KEY_PREFIX"] = {redis_prefix!r}
from django.core.cache import cache
from django.core.cache import caches
print(type(caches["default"]).__name__, cache.incr("attempts"))
"""
    other = run_django(script, REDIS_URL=REDIS_URL)
    assert other.stdout.split() == ["RedisCache", "4"]
    assert here.get("attempts") == 4


# --- Stateless app servers -------------------------------------------------------------------


def run_django(script: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``script`` in a fresh interpreter with the production settings and ``env``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_"))}
    return subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script],
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_SECRET_KEY": "x" * 50,
            "DATABASE_URL": "sqlite:///:memory:",
            **env,
        },
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )


@pytest.mark.django_db
def test_a_session_started_on_one_server_is_valid_on_another(client):
    """Sessions live in the database: a second app server (handler) knows the member."""
    member = UserFactory()
    client.force_login(member)
    assert client.session.__class__.__module__ == "django.contrib.sessions.backends.db"
    other_server = Client()  # its own handler and middleware instances
    other_server.cookies = client.cookies
    page = other_server.get(reverse("discussions:home")).content.decode()
    assert member.name in page
    assert "Sign out" in page


def test_sessions_are_never_kept_in_one_servers_memory_or_disk():
    settings = production_settings()
    assert settings["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"
    cached = production_settings(
        DJANGO_SESSION_ENGINE="django.contrib.sessions.backends.cached_db",
        REDIS_URL="redis://cache.internal:6379/0",
    )
    assert cached["SESSION_ENGINE"].endswith("cached_db")
    assert cached["CACHES"]["default"]["BACKEND"].endswith("RedisCache")


def test_uploads_go_through_the_configured_storage():
    """
    Every uploaded or made file (club logos, PDFs of proceedings) is stored through the
    default storage, which production names in DJANGO_MEDIA_STORAGE (object storage, shared
    by every server).
    """
    from django.core.files.storage import default_storage

    file_fields = [
        field
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    ]
    assert [f"{f.model._meta.label}.{f.name}" for f in file_fields] == [
        "clubs.Club.logo",
        "proceedings.Export.file",
    ]
    assert all(field.storage is default_storage for field in file_fields)
    chosen = production_settings(DJANGO_MEDIA_STORAGE="storages.backends.s3.S3Storage")
    assert chosen["STORAGES"]["default"]["BACKEND"] == "storages.backends.s3.S3Storage"


def test_background_tasks_go_through_the_database_queue():
    tasks = production_settings()["TASKS"]
    if tasks is None:
        pytest.skip("no background tasks are configured (TASKS is not set)")
    backend = tasks["default"]["BACKEND"]
    assert "Database" in backend or backend.startswith("django_tasks_db"), backend


# --- gunicorn ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_gunicorn_config_reads_the_environment():
    import runpy

    with mock.patch.dict(os.environ, {"PORT": "9123", "WEB_CONCURRENCY": "3"}):
        config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["bind"] == "0.0.0.0:9123"
    assert config["workers"] == 3
    assert config["accesslog"] is None
    assert config["preload_app"] is True


def test_gunicorn_serves_the_app_with_the_production_config(tmp_path):
    """Start gunicorn as the Procfile does; /healthz answers and logs a JSON line."""
    port = free_port()
    log = tmp_path / "gunicorn.log"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REDIS_"))}
    env = {
        **clean,
        "DJANGO_SECRET_KEY": "x" * 50,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "WEB_CONCURRENCY": "1",
    }
    with log.open("w") as output:
        server = subprocess.Popen(  # noqa: S603 - gunicorn from our own virtualenv
            [str(Path(sys.executable).with_name("gunicorn")), "config.wsgi"],
            env={**env, "PORT": str(port), "GUNICORN_BIND": f"127.0.0.1:{port}"},
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            response = None
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                    break
                except httpx.TransportError:
                    assert server.poll() is None, log.read_text()
                    time.sleep(0.2)
            assert response is not None, log.read_text()
            assert response.status_code == 200
            assert response.json()["status"] == "ok"
            assert response.headers["X-Request-ID"]
            # An HTTPS redirect for pages, but not for the health check above.
            assert httpx.get(f"http://127.0.0.1:{port}/", timeout=5).status_code == 301
        finally:
            server.terminate()
            server.wait(timeout=30)
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
    requests = [line for line in lines if line["logger"] == "journal_club.request"]
    assert [(r["method"], r["path"], r["status"]) for r in requests] == [("GET", "/", 301)]


# --- Limits that hold in production -------------------------------------------------------------


def test_the_deployment_checks_require_a_shared_cache(settings):
    from django.core.management.base import SystemCheckError

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    with pytest.raises(SystemCheckError, match=r"journal_club\.E001"):
        call_command("check", "--deploy", "--tag", "security")
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/0",
        }
    }
    call_command("check", "--deploy", "--tag", "security", "--fail-level", "ERROR")


LOCKED_OUT = b"Too many failed login attempts"


def failed_sign_ins(client, *, forwarded_for: str, count: int):
    """Failed sign-ins from one client, each for a different account (so no account locks)."""
    for n in range(count):
        client.post(
            reverse("account_login"),
            {"login": f"nobody{n}@example.org", "password": "wrong horse"},
            HTTP_X_FORWARDED_FOR=forwarded_for,
        )


@pytest.mark.django_db
def test_behind_a_trusted_proxy_failed_sign_ins_lock_out_only_their_client(client, settings):
    """
    allauth allows 10 failed sign-ins a minute per address (then refuses even the right
    password, saying why); the address is the client's, not the proxy's.
    """
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    member = UserFactory()
    failed_sign_ins(client, forwarded_for="198.51.100.7", count=10)
    blocked = client.post(
        reverse("account_login"),
        {"login": member.email, "password": "correct horse"},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert LOCKED_OUT in blocked.content
    # A forged first hop does not help: the proxy's own entry (the last) is the client.
    forged = client.post(
        reverse("account_login"),
        {"login": member.email, "password": "correct horse"},
        HTTP_X_FORWARDED_FOR="203.0.113.1, 198.51.100.7",
    )
    assert LOCKED_OUT in forged.content
    other = Client().post(
        reverse("account_login"),
        {"login": member.email, "password": "correct horse"},
        HTTP_X_FORWARDED_FOR="192.0.2.44",
    )
    assert other.status_code == 302


def test_the_trusted_proxy_count_comes_from_the_environment_and_feeds_allauth():
    assert production_settings()["ALLAUTH_TRUSTED_PROXY_COUNT"] == 0
    configured = production_settings(JOURNAL_CLUB_TRUSTED_PROXY_COUNT="2")
    assert configured["ALLAUTH_TRUSTED_PROXY_COUNT"] == 2


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("JOURNAL_CLUB_POST_INTERVAL", "0", "JOURNAL_CLUB_POST_INTERVAL must be at least 1, not 0"),
        ("JOURNAL_CLUB_TRUSTED_PROXY_COUNT", "two", "must be a whole number, not 'two'"),
        ("EMAIL_PORT", "-25", "EMAIL_PORT must be at least 1"),
    ],
)
def test_a_bad_setting_stops_the_start_with_a_message_naming_it(name, value, message):
    with pytest.raises(subprocess.CalledProcessError) as failed:
        production_settings(**{name: value})
    assert message in failed.value.stderr


@pytest.mark.django_db
def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, settings):
    """Anyone can send X-Forwarded-For: trusted by default, it would undo every limit."""
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    member = UserFactory()
    for n in range(10):
        failed_sign_ins(client, forwarded_for=f"198.51.100.{n}", count=1)
    response = client.post(
        reverse("account_login"),
        {"login": member.email, "password": "correct horse"},
        HTTP_X_FORWARDED_FOR="192.0.2.44",
    )
    assert LOCKED_OUT in response.content
