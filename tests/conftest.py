import os
from pathlib import Path

import pytest
from django.test.signals import setting_changed

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# inside one unless told it is safe (it is: each test uses its own connection).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# Debian's Chromium package; browser tests never download a browser of their own.
CHROMIUM = Path(os.environ.get("JOURNAL_CLUB_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """
    On SQLite, a test database in a file rather than in memory. With an in-memory database
    the live server's threads share the test's one connection, and two browser requests
    at once can deadlock inside SQLite; with a file each thread has its own connection.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(
            tmp_path_factory.mktemp("db") / "test.sqlite3"
        )


BROWSER_REQUIRED = os.environ.get("JOURNAL_CLUB_REQUIRE_BROWSER") == "1"
BROWSER_SKIP_REASON = f"browser tests skipped: no Chromium at {CHROMIUM} (apt-get install chromium)"


def pytest_configure(config):
    from django.conf import settings

    from core.catalogues import compile_all

    compile_all()  # the French pages need the catalogues as they stand (make test does too)

    # The suite runs the production settings with two exceptions: no HTTPS redirect (the
    # test client speaks plain HTTP) and static files without collectstatic's manifest.
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The API's rate limits are off unless a test turns them on (tests/api): the crawls
    # read hundreds of API addresses a minute as one visitor.
    settings.JOURNAL_CLUB_API_RATES = {}
    # Background tasks run at once, in the test (they are enqueued when a transaction
    # commits: see django_capture_on_commit_callbacks in tests/notifications/).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    # Tasks declared by modules the admin imports at start-up exist already, with the
    # backend of the settings then: django-tasks lets go of it when told TASKS changed.
    setting_changed.send(sender=None, setting="TASKS", value=settings.TASKS, enter=True)
    # Rate limits and pre-moderation are off unless a test turns them on: most tests post
    # several comments a second as members who are new to the site.
    settings.JOURNAL_CLUB_RATE_LIMITS = {}
    settings.JOURNAL_CLUB_PREMODERATE_FIRST_POSTS = 0


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate-limit counters and cached pages live in the cache; no test inherits them."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api():
    """
    The only way out for HTTP: Crossref and DOAJ as recorded (tests/articles/conftest.py),
    for every test that looks papers up. Nothing reaches the network.
    """
    from articles.sources import http
    from tests.articles.conftest import RecordedApi

    recorded = RecordedApi()
    http.set_default_transport(recorded.transport)
    yield recorded
    http.set_default_transport(None)


@pytest.fixture
def clubs_counted(db):
    """
    The navigation's "more than one club?" already read: it is read once an hour for the
    whole site (``clubs.context_processors``), so query counts are those of every request.
    """
    from clubs.context_processors import site_has_many_clubs

    site_has_many_clubs()


@pytest.fixture(autouse=True)
def _english_between_tests():
    """A request to a French page leaves French active in this thread: not for the next test."""
    yield
    from django.utils import translation

    translation.deactivate()


@pytest.fixture
def member(db):
    """A signed-up member whose email address is verified."""
    from tests.factories import UserFactory

    return UserFactory()


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def staff(db):
    from tests.factories import UserFactory

    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def discussion(db):
    """An open discussion with three questions about a paper with two authors."""
    from tests.factories import DiscussionFactory

    return DiscussionFactory()


def pytest_collection_modifyitems(config, items):
    """Skip browser tests without Chromium, unless CI requires them (then they fail)."""
    if CHROMIUM.exists():
        return
    browser_tests = [item for item in items if item.get_closest_marker("browser")]
    if browser_tests and BROWSER_REQUIRED:
        raise pytest.UsageError(f"{BROWSER_SKIP_REASON}, but JOURNAL_CLUB_REQUIRE_BROWSER=1")
    for item in browser_tests:
        item.add_marker(pytest.mark.skip(reason=BROWSER_SKIP_REASON))
    config._journal_club_browser_skipped = len(browser_tests)


def pytest_terminal_summary(terminalreporter, config):
    skipped = getattr(config, "_journal_club_browser_skipped", 0)
    if skipped:
        terminalreporter.write_line(f"NOTE: {skipped} {BROWSER_SKIP_REASON}.", yellow=True)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }
