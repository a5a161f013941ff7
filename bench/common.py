"""
What the server benchmarks share: a throwaway PostgreSQL database with the demo and extra
comments, the production server (gunicorn with gunicorn.conf.py) on it, and wrk.

Import this module before Django is set up: ``configure()`` points Django at the
throwaway database and the bench settings, in this process and in gunicorn's.
"""

import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The server the throwaway database is created on (trust auth, as on this machine and in CI).
POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DEMO_PASSWORD = "bench passphrase, not a secret"  # noqa: S105 - given to throwaway demo members
DISCUSSION_SLUG = "implementation-support-practitioners"
DISCUSSION_URL = f"/discussions/{DISCUSSION_SLUG}/"


@dataclass
class Environment:
    database_name: str
    database_url: str
    static_root: Path
    env: dict[str, str]


def configure(prefix: str) -> Environment:
    """Environment variables for a production-like site on a database of our own."""
    name = f"{prefix}_{os.getpid()}"
    database_url = f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"
    static_root = Path(tempfile.mkdtemp(prefix=f"{prefix}-static-"))
    env = {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database_url,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "BENCH_STATIC_ROOT": str(static_root),
    }
    os.environ.update(env)
    return Environment(name, database_url, static_root, env)


def _admin(statement: str, name: str) -> None:
    """Run CREATE/DROP DATABASE for ``name`` on the maintenance database."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(POSTGRES_URL, autocommit=True) as connection:
        connection.execute(sql.SQL(statement).format(name=sql.Identifier(name)))


@contextmanager
def throwaway_site(environment: Environment, *, extra_comments: int):
    """Create the database, migrate, load the demo plus comments, collect static; drop it."""
    import django
    from django.core.management import call_command
    from django.db import connections

    name = environment.database_name
    _admin("DROP DATABASE IF EXISTS {name}", name)
    _admin("CREATE DATABASE {name}", name)
    try:
        django.setup()
        call_command("migrate", verbosity=0)
        call_command("load_demo", password=DEMO_PASSWORD, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        add_comments_to_demo(extra_comments)
        yield
    finally:
        connections.close_all()
        _admin("DROP DATABASE IF EXISTS {name} WITH (FORCE)", name)
        shutil.rmtree(environment.static_root, ignore_errors=True)


def add_comments_to_demo(n: int, seed: int = 1) -> None:
    """n more comments on the demo discussion, shaped as in bench/thread_page.py."""
    if n <= 0:
        return
    from thread_page import add_comments

    from discussions.models import Discussion

    discussion = Discussion.objects.get(slug=DISCUSSION_SLUG)
    add_comments(discussion, n, seed=seed)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(environment: Environment, log_path: Path):
    """The production server with the repository's gunicorn.conf.py, on a free port."""
    import httpx

    port = free_port()
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "config.wsgi",
        "--config",
        str(ROOT / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
    ]
    with log_path.open("w") as log:
        server = subprocess.Popen(  # noqa: S603 - gunicorn from our virtualenv
            command, cwd=ROOT, env={**os.environ, **environment.env}, stdout=log, stderr=log
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start; see {log_path}")
            time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=60)


def sign_in(base: str, email: str, password: str = DEMO_PASSWORD) -> dict[str, str]:
    """Sign in through the real login form; the session and CSRF cookies, by name."""
    import httpx
    from django.conf import settings

    csrf_cookie, session_cookie = settings.CSRF_COOKIE_NAME, settings.SESSION_COOKIE_NAME
    with httpx.Client(base_url=base, timeout=30) as client:
        # The cookies are Secure (DEBUG is off), so no cookie jar sends them back over
        # plain HTTP: they are read from the headers and sent by hand.
        form = client.get("/accounts/login/")
        csrf = set_cookies(form)[csrf_cookie]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        response = client.post(
            "/accounts/login/",
            data={"login": email, "password": password, "csrfmiddlewaretoken": token},
            headers={"Cookie": f"{csrf_cookie}={csrf}"},
        )
        session = set_cookies(response).get(session_cookie)
        if response.status_code != 302 or not session:
            raise RuntimeError(f"could not sign in as {email}: HTTP {response.status_code}")
        return {csrf_cookie: csrf, session_cookie: session}


def set_cookies(response) -> dict[str, str]:
    """The cookies a response sets, by name, whatever their flags."""
    jar = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


# --- wrk ------------------------------------------------------------------------------------


@dataclass
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int  # socket errors, timeouts and non-2xx/3xx answers


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * _UNITS[unit]


def wrk(url: str, *, seconds: int, headers: dict[str, str] | None = None) -> WrkResult:
    """wrk with 2 threads and 10 connections for a bounded time, latency percentiles on."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    command = ["wrk", "-t2", "-c10", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run(  # noqa: S603 - wrk on loopback
        [*command, url], capture_output=True, text=True, check=True
    ).stdout
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    if set(percentiles) != {"50", "99"}:
        raise RuntimeError(f"unexpected output from wrk:\n{output}")
    socket_errors = re.findall(r"(?:connect|read|write|timeout) (\d+)", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = sum(map(int, socket_errors)) + (int(non_2xx.group(1)) if non_2xx else 0)
    return WrkResult(
        requests_per_second=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        p50_ms=_ms(percentiles["50"]),
        p99_ms=_ms(percentiles["99"]),
        requests=int(re.search(r"(\d+) requests in", output).group(1)),
        errors=errors,
    )


def median(values) -> float:
    return statistics.median(values)
