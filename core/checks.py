"""System checks: what a deployment needs that a missing step would silently lose."""

from django.core import checks

from .catalogues import LOCALE, catalogues


@checks.register(checks.Tags.translation)
def catalogues_compiled(app_configs, **kwargs):
    """The French pages need compiled catalogues: without them they would show English."""
    stale = [
        source
        for source in catalogues()
        if not source.with_suffix(".mo").exists()
        or source.with_suffix(".mo").stat().st_mtime < source.stat().st_mtime
    ]
    return [
        checks.Warning(
            f"{source.relative_to(LOCALE.parent)} is not compiled, or changed since: pages in "
            "its language would show English.",
            hint="Run `python -m core.catalogues` (make run and make test do).",
            id="core.W001",
        )
        for source in stale
    ]
