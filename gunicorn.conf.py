"""
Gunicorn settings for production: ``gunicorn config.wsgi`` reads this file by itself when
started from the project root (or pass ``-c gunicorn.conf.py``).

Every value can be changed per deployment through the environment, as the Django settings
are; a command-line flag (``--bind``, ``--workers``) wins over both.
"""

import multiprocessing
import os
from pathlib import Path

# Where to listen: $PORT is what most platforms (and the Procfile) give.
bind = os.environ.get("GUNICORN_BIND", f"0.0.0.0:{os.environ.get('PORT', '8000')}")

# Synchronous workers, the usual two per core plus one: each page is CPU work in Python plus a few
# quick queries, so more processes, not threads, is what adds throughput.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))

# A request that takes longer than this is stuck: the worker is killed and replaced.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
# Behind a load balancer that keeps connections open, a little longer than none.
keepalive = 5

# Recycle workers now and then so that a slow leak can never grow without bound; the
# jitter keeps them from all restarting at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200

# Load the app once before forking: workers share its memory and start faster. Database
# connections are opened lazily in each worker (CONN_MAX_AGE), never shared across forks.
preload_app = True

# Heartbeat files on a RAM disk, so a slow disk cannot make gunicorn think workers hung.
_SHM = "/dev/shm"  # noqa: S108 - the tmpfs gunicorn's docs recommend, not a temp file
if Path(_SHM).is_dir():
    worker_tmp_dir = _SHM

# Django writes one structured line per request (config/logging.py), so gunicorn's own
# access log stays off; its error log (start-up, worker deaths) goes to stderr.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# Trust X-Forwarded-* only from the proxy in front (set to its address, or "*" when only
# the proxy can reach gunicorn).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
