import factory

from discussions.models import Follow
from notifications.models import Delivery, Notification, NotificationSettings
from tests.factories import CommentFactory, DiscussionFactory, UserFactory


class FollowFactory(factory.django.DjangoModelFactory):
    """A member following a discussion (pass question= or thread= with discussion=None)."""

    class Meta:
        model = Follow

    member = factory.SubFactory(UserFactory)
    discussion = factory.SubFactory(DiscussionFactory)


class NotificationSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NotificationSettings
        django_get_or_create = ["member"]

    member = factory.SubFactory(UserFactory)


class NotificationFactory(factory.django.DjangoModelFactory):
    """
    A reply notification about a fresh comment, to be emailed immediately (with
    comment=None, kind=DISCUSSION_OPENED: a new discussion's announcement).
    """

    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = Notification.Kind.REPLY
    comment = factory.SubFactory(CommentFactory)
    discussion = factory.LazyAttribute(
        lambda n: n.comment.question.discussion if n.comment else DiscussionFactory()
    )
    actor = factory.LazyAttribute(lambda n: n.comment.author if n.comment else n.discussion.host)
    key = factory.LazyAttribute(
        lambda n: f"comment:{n.comment.pk}" if n.comment else f"opened:{n.discussion.pk}"
    )
    email_delivery = Delivery.IMMEDIATE
