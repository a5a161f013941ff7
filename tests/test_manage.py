"""manage.py takes local settings from the .env beside it, and the environment wins."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRINT_DEBUG = "from django.conf import settings; print(settings.DEBUG)"


def run_manage(folder: Path, **environ: str) -> subprocess.CompletedProcess:
    """manage.py, copied into ``folder``, run with none of our settings in the environment."""
    (folder / "manage.py").write_text((ROOT / "manage.py").read_text())
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "JOURNAL_CLUB_"))
    }
    env.update(PYTHONPATH=str(ROOT), **environ)
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(folder / "manage.py"), "shell", "-c", PRINT_DEBUG],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_manage_py_reads_the_env_file_beside_it(tmp_path):
    (tmp_path / ".env").write_text("DJANGO_DEBUG=1\n")
    result = run_manage(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "True"


def test_without_the_file_production_settings_ask_for_a_secret_key(tmp_path):
    result = run_manage(tmp_path)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_the_environment_wins_over_the_file(tmp_path):
    (tmp_path / ".env").write_text("DJANGO_DEBUG=1\n")
    result = run_manage(tmp_path, DJANGO_DEBUG="0", DJANGO_SECRET_KEY="x" * 50)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "False"
