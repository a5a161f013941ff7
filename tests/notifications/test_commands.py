import pytest
from django.core.management import CommandError, call_command

from notifications.models import Delivery
from tests.factories import UserFactory
from tests.notifications.factories import NotificationFactory


def test_send_notifications_sends_what_is_due_once(db, mailoutbox, capsys):
    NotificationFactory.create_batch(2)
    NotificationFactory(email_delivery=Delivery.DAILY)
    call_command("send_notifications")
    assert "Sent 2 email(s); 0 failed" in capsys.readouterr().out
    call_command("send_notifications")
    assert "Sent 0 email(s)" in capsys.readouterr().out
    assert len(mailoutbox) == 2


def test_send_notifications_reports_failures(db, mail_server_down, capsys):
    NotificationFactory()
    call_command("send_notifications")
    assert "1 failed (will retry)" in capsys.readouterr().out


@pytest.mark.parametrize("period", [Delivery.DAILY, Delivery.WEEKLY])
def test_send_digests_is_idempotent(db, mailoutbox, capsys, period):
    member = UserFactory()
    NotificationFactory.create_batch(3, recipient=member, email_delivery=period)
    NotificationFactory(email_delivery=period)
    call_command("send_digests", "--period", period)
    assert f"Sent 2 {period} digest(s) covering 4 notification(s)" in capsys.readouterr().out
    call_command("send_digests", "--period", period)
    assert f"Sent 0 {period} digest(s)" in capsys.readouterr().out
    assert len(mailoutbox) == 2


@pytest.mark.parametrize("arguments", [[], ["--period", "hourly"]])
def test_send_digests_needs_a_known_period(db, arguments):
    with pytest.raises(CommandError):
        call_command("send_digests", *arguments)
