"""
Settings for the gunicorn that bench/throughput.py and bench/abuse.py start: production's
own (config.settings, from the same environment variables), with two changes that only a
benchmark needs: its URLs add a minimal view, and static files are collected into a
throwaway directory.
"""

import os

from config.settings import *  # noqa: F403
from config.settings import STATIC_ROOT as _STATIC_ROOT

ROOT_URLCONF = "bench.urls"
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", _STATIC_ROOT)
