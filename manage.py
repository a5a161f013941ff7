#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys
from pathlib import Path


def main():
    # Local settings (DJANGO_DEBUG=1 and the like) come from .env, which `make run` writes;
    # the environment wins over it. Only manage.py reads it: gunicorn, the tests and a
    # production host without the file get their settings from the environment alone.
    from dotenv import load_dotenv

    load_dotenv(Path(__file__).resolve().parent / ".env", override=False)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
