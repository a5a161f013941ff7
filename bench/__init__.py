"""Benchmarks (run as scripts, see bench/README.md); a package so gunicorn can import
``bench.settings`` and ``bench.urls``."""
