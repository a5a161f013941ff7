"""
The notification emails: one per notification ("immediately") or one digest per member.

Every email is written in its recipient's language (``member_language``: their own setting,
else the site's), never the language of the member or request that caused it, so its words,
its dates and its links (``/fr/...`` for French) are all rendered under that language. It is
multipart (plain text and HTML in the site's look), links with absolute URLs built on
``JOURNAL_CLUB_BASE_URL``, and carries a one-click unsubscribe link (RFC 8058:
``List-Unsubscribe`` with an https URL and ``List-Unsubscribe-Post``) whose signed token
turns off just that kind of email, or that digest. Comments are quoted as a short plain-text
excerpt, never as HTML, and a deleted comment is never quoted at all.
"""

import html
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.text import Truncator

from accounts.models import User
from accounts.selectors import member_language

from .models import Delivery, Notification
from .tokens import unsubscribe_token

EXCERPT_WORDS = 60


@dataclass
class EmailItem:
    """One notification as an email shows it."""

    summary: str
    excerpt: str
    url: str
    notification: Notification


def plain_text_excerpt(body_html: str, words: int = EXCERPT_WORDS) -> str:
    """The start of a comment's stored HTML as plain text (never its markup)."""
    return Truncator(html.unescape(strip_tags(body_html)).strip()).words(words)


def absolute_url(path: str) -> str:
    return f"{settings.JOURNAL_CLUB_BASE_URL.rstrip('/')}{path}"


def notification_email(notification: Notification) -> EmailMultiAlternatives:
    """The email about one notification, to its recipient."""
    member = notification.recipient
    with translation.override(member_language(member)):
        item = _item(notification)
        context = {
            "member": member,
            "item": item,
            "discussion": notification.discussion,
            "question": notification.comment.question if notification.comment else None,
            "kind_label": notification.get_kind_display(),
            **_links(member, scope=notification.kind),
        }
        return _message(member, "notification", context)


def digest_email(member: User, notifications: list[Notification], *, period: str):
    """One digest of a member's notifications, grouped by discussion, oldest first."""
    groups: dict[int, list[EmailItem]] = defaultdict(list)
    discussions = {}
    with translation.override(member_language(member)):
        for notification in notifications:
            discussions[notification.discussion_id] = notification.discussion
            groups[notification.discussion_id].append(_item(notification))
        context = {
            "member": member,
            "period": period,
            "period_label": Delivery(period).label,
            "count": len(notifications),
            "groups": [
                {
                    "discussion": discussions[pk],
                    "url": absolute_url(discussions[pk].get_absolute_url()),
                    "items": items,
                }
                for pk, items in groups.items()
            ],
            **_links(member, scope=period),
        }
        return _message(member, "digest", context)


def _item(notification: Notification) -> EmailItem:
    comment = notification.comment
    if comment is None or not comment.is_public:
        excerpt = ""  # a new discussion is named by its title; a deleted comment never quoted
    else:
        excerpt = plain_text_excerpt(comment.body_html)
    return EmailItem(
        summary=notification.summary,
        excerpt=excerpt,
        url=absolute_url(notification.get_absolute_url()),
        notification=notification,
    )


def _links(member: User, *, scope: str) -> dict:
    token = unsubscribe_token(member=member, scope=scope)
    return {
        "unsubscribe_url": absolute_url(
            reverse("notifications:unsubscribe", kwargs={"token": token})
        ),
        "settings_url": absolute_url(reverse("notifications:settings")),
        "notifications_url": absolute_url(reverse("notifications:list")),
        "site_url": absolute_url(reverse("discussions:home")),
    }


def _message(member: User, name: str, context: dict) -> EmailMultiAlternatives:
    subject: str = render_to_string(f"notifications/email/{name}_subject.txt", context)
    subject = " ".join(subject.split())  # one line, whatever the template's whitespace
    text = render_to_string(f"notifications/email/{name}_body.txt", context)
    body_html = render_to_string(f"notifications/email/{name}_body.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[member.email],
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # RFC 3834: an automatic message; out-of-office replies should stay quiet.
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(body_html, "text/html")
    return message
