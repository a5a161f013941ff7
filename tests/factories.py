import datetime

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from articles.models import AbstractSection, Article, Author, Journal, Subject
from clubs.models import Club, Membership
from core.markdown import render_markdown
from discussions import caching
from discussions.models import Comment, Discussion, Question


class UserFactory(factory.django.DjangoModelFactory):
    """A member with a verified primary email address (password: "correct horse")."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"member{n}")
    display_name = factory.Sequence(lambda n: f"Member {n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse")

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        """A confirmed address makes a member (the "Members" role), unless verified=False."""
        if create:
            verified = extracted is not False
            EmailAddress.objects.create(user=obj, email=obj.email, primary=True, verified=verified)
            if verified:
                obj.groups.add(Group.objects.get_or_create(name="Members")[0])

    @factory.post_generation
    def roles(obj, create, extracted, **kwargs):
        """Extra roles by group name, e.g. UserFactory(roles=["Moderators"])."""
        for name in extracted or ():
            obj.groups.add(Group.objects.get(name=name))


class JournalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Journal
        django_get_or_create = ["title"]

    title = "BMC Health Services Research"
    publisher = "BMC"
    issn_electronic = "1472-6963"
    slug = factory.LazyAttribute(lambda j: slugify(j.title))


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subject
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Subject {n}")
    slug = factory.Sequence(lambda n: f"subject-{n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"A study of implementation support, part {n}")
    slug = factory.Sequence(lambda n: f"implementation-support-{n}")
    doi = factory.Sequence(lambda n: f"10.1186/test-{n}")
    journal = factory.SubFactory(JournalFactory)
    volume = "20"
    article_number = "368"
    published_on = datetime.date(2020, 5, 1)
    url = "https://example.org/full-text"
    language = "en"
    is_open_access = True
    licence = "CC BY 4.0"

    @factory.post_generation
    def with_record(obj, create, extracted, **kwargs):
        """Two authors and a two-section abstract, unless with_record=False."""
        if create and extracted is not False:
            AuthorFactory(
                article=obj,
                position=1,
                given_name="Ada",
                family_name="Lovelace",
                affiliations="University of Somewhere",
            )
            AuthorFactory(article=obj, position=2, given_name="Alan", family_name="Turing")
            AbstractSection.objects.create(
                article=obj, position=1, heading="Background", body="Why this matters."
            )
            AbstractSection.objects.create(
                article=obj, position=2, heading="Conclusion", body="What we learned."
            )


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    article = factory.SubFactory(ArticleFactory)
    position = 1
    given_name = "Grace"
    family_name = "Hopper"


class AbstractSectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AbstractSection

    article = factory.SubFactory(ArticleFactory)
    position = 1
    heading = "Background"
    body = "Some text."


class ClubFactory(factory.django.DjangoModelFactory):
    """A public club anyone may join (visibility="private", joining="request" for others)."""

    class Meta:
        model = Club

    name = factory.Sequence(lambda n: f"Club {n}")
    slug = factory.Sequence(lambda n: f"club-{n}")
    tagline = "Papers on implementation, read together."
    visibility = Club.Visibility.PUBLIC
    joining = Club.Joining.OPEN


def default_club() -> Club:
    """The one public club of a one-club site (as the migration makes it)."""
    return Club.objects.get_or_create(slug="journal-club", defaults={"name": "Journal Club"})[0]


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    club = factory.SubFactory(ClubFactory)
    member = factory.SubFactory(UserFactory)
    role = "member"


class DiscussionFactory(factory.django.DjangoModelFactory):
    """An open discussion with three questions (questions=0 for none)."""

    class Meta:
        model = Discussion
        skip_postgeneration_save = True

    club = factory.LazyFunction(default_club)
    article = factory.SubFactory(ArticleFactory)
    slug = factory.Sequence(lambda n: f"discussion-{n}")
    host = factory.SubFactory(UserFactory, roles=["Hosts"])
    commentary = "A short **commentary** by the host."
    status = Discussion.Status.OPEN
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))

    @factory.post_generation
    def questions(obj, create, extracted, **kwargs):
        if create:
            for number in range(1, (3 if extracted is None else extracted) + 1):
                Question.objects.create(
                    discussion=obj, number=number, text=f"Question number {number}?"
                )


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    discussion = factory.SubFactory(DiscussionFactory, questions=0)
    number = factory.Sequence(lambda n: n + 1)
    text = "What do you think?"


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment; pass parent= for a reply (question and root follow from it)."""

    class Meta:
        model = Comment

    question = factory.LazyAttribute(lambda c: c.parent.question if c.parent else QuestionFactory())
    parent = None
    root = factory.LazyAttribute(lambda c: (c.parent.root or c.parent) if c.parent else None)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Comment number {n}, with *some* Markdown.")
    body_html = factory.LazyAttribute(lambda c: render_markdown(c.body))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """Saved as the posting service would leave it: its discussion's pages out of date."""
        comment = super()._create(model_class, *args, **kwargs)
        caching.discussions_changed([comment.question.discussion_id])
        return comment
