import smtplib

import pytest
from django.core.mail.backends.base import BaseEmailBackend

from tests.factories import CommentFactory


class FailingEmailBackend(BaseEmailBackend):
    """A mail server that is down: every send raises, as Django's SMTP backend would."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def mail_server_down(settings):
    settings.EMAIL_BACKEND = "tests.notifications.conftest.FailingEmailBackend"


@pytest.fixture
def worker(django_capture_on_commit_callbacks):
    """
    Run what committed transactions enqueue, as the worker would: tasks are enqueued on
    commit, which a test's transaction never reaches, and the suite's task backend runs
    them at once.
    """
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def question(discussion):
    return discussion.questions.get(number=1)


@pytest.fixture
def answer(question):
    """A top-level comment (the start of a thread) by someone else."""
    return CommentFactory(question=question)
