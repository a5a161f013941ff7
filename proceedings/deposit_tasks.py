"""
Background tasks of the deposits (Django's tasks API; ``manage.py run_worker`` runs them).

Arguments are ids, never objects: the worker reads the deposit as it is when it runs. Both
are safe to run twice (a second run finds the deposit published, or announced, or held by
the first, and does nothing), so a duplicated or retried task never deposits or announces
anything twice.
"""

from django.db import transaction
from django_tasks import task

from . import coar, zenodo
from .models import Deposit


@task()
def publish(deposit_id: int) -> str:
    """Deposit the proceedings on Zenodo; once published, announce them."""
    deposit = Deposit.objects.filter(pk=deposit_id).first()
    if deposit is None:
        return "deleted"
    deposit = zenodo.deposit_publish(deposit=deposit)
    if (
        deposit.state == Deposit.State.PUBLISHED
        and deposit.announcement != Deposit.Announcement.SENT
        and coar.is_configured()
    ):
        announce.enqueue(deposit_id=deposit.pk)
    return deposit.state


@task()
def announce(deposit_id: int) -> str:
    """Announce published proceedings to the review inbox (COAR Notify)."""
    deposit = Deposit.objects.filter(pk=deposit_id).first()
    if deposit is None:
        return "deleted"
    return coar.deposit_announce(deposit=deposit).announcement or "not sent"


def publish_on_commit(deposit_id: int) -> None:
    """Enqueue the publishing once the request is saved; never for a write rolled back."""
    transaction.on_commit(lambda: publish.enqueue(deposit_id=deposit_id), robust=True)


def announce_on_commit(deposit_id: int) -> None:
    transaction.on_commit(lambda: announce.enqueue(deposit_id=deposit_id), robust=True)
