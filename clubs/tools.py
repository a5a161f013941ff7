"""
A club's tools for choosing what to read: its standard questions, and the papers its
members nominate and vote for.

Writes follow the site's rules for services: keyword-only, one transaction each, raising
``NotAllowed`` (the clubs' own, from ``services``: 403, with the reason) when the member
may not do this at all and ``ValidationError`` when what they sent is wrong. Votes are
desired states: voting twice leaves one vote, taking back a vote that is not there changes
nothing.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from accounts.selectors import member_suspension
from articles import services as article_services
from articles import sources
from articles.models import Article
from core.identifiers import normalize_doi
from core.ratelimits import RateLimited, consume

from . import access
from .models import Club, Nomination, QuestionTemplate, Vote
from .services import NotAllowed

# --- Who may do what (views and templates ask the same questions) ------------------------


def can_edit_questions(user, club: Club) -> bool:
    """The club's standard questions are kept by its leads and hosts (and club curators)."""
    return access.can_host(user, club) or access.can_manage(user, club)


def can_open_discussion(user, club: Club) -> bool:
    """
    Open a discussion in the club (a draft, from the catalogue or a nomination): its leads
    and hosts, and staff who may add discussions anywhere.
    """
    if not user.is_authenticated:
        return False
    return access.can_host(user, club) or user.has_perm("discussions.add_discussion")


def can_nominate(user, club: Club) -> bool:
    """
    Nominate and vote: a member of the club (not banned from it) who is a confirmed member
    of the site and not suspended. Joining comes first, even in a club open to all.
    """
    if not (user.is_authenticated and user.is_active and access.is_member(user, club)):
        return False
    return user.has_perm("discussions.add_comment") and member_suspension(user) is None


def can_withdraw(user, nomination: Nomination) -> bool:
    """Its nominator, while it is open; the club's leads too (to tidy the list)."""
    if not user.is_authenticated or nomination.status != Nomination.Status.OPEN:
        return False
    return nomination.nominated_by_id == user.pk or access.can_manage(user, nomination.club_id)


def check_can_nominate(user, club: Club) -> None:
    """Raise NotAllowed, saying why, unless the member may nominate and vote here."""
    if can_nominate(user, club):
        return
    if access.is_banned(user, club):
        raise NotAllowed(_("You can no longer take part in this club."))
    if not access.is_member(user, club):
        raise NotAllowed(_("Join the club to nominate papers and vote."))
    raise NotAllowed(_("Only confirmed members who are not suspended may nominate and vote."))


# --- Reads ------------------------------------------------------------------------------


def nominations_for(club: Club, user):
    """
    The club's open nominations, most votes first (then the oldest first), each with its
    paper, its journal and authors, the nominator, ``vote_count`` and whether this member
    voted (``voted``): two queries, whatever their number.
    """
    nominations = (
        club.nominations.waiting()
        .with_votes()
        .select_related("article__journal", "nominated_by")
        .prefetch_related("article__authors")
        .order_by("-vote_count", "created_at", "pk")
    )
    if user.is_authenticated:
        mine = Vote.objects.filter(nomination=OuterRef("pk"), member=user)
        return nominations.annotate(voted=Exists(mine))
    return nominations


def nomination_for(club: Club, user, pk: int) -> Nomination | None:
    """One open nomination of this club, as ``nominations_for`` reads it (None if not open)."""
    return nominations_for(club, user).filter(pk=pk).first()


def papers_matching(query: str, *, limit: int = 10) -> list[Article]:
    """Catalogue papers whose title, DOI or address contains ``query`` (for choosing one)."""
    query = query.strip()
    if len(query) < 3:
        return []
    return list(
        Article.objects.filter(
            Q(title__icontains=query) | Q(doi__iexact=query) | Q(slug__icontains=query)
        )
        .select_related("journal")
        .order_by("-published_on", "pk")[:limit]
    )


# --- Question templates -----------------------------------------------------------------


def question_templates_replace(*, club: Club, editor, texts: list[str]) -> list[QuestionTemplate]:
    """
    Make the club's standard questions exactly ``texts``, in this order (positions 1..n);
    empty texts are dropped. Saving the same list twice leaves the same questions.
    """
    if not can_edit_questions(editor, club):
        raise NotAllowed(_("Only the club's leads and hosts may change its standard questions."))
    templates = [
        QuestionTemplate(club=club, position=position, text=text)
        for position, text in enumerate((t.strip() for t in texts if t.strip()), start=1)
    ]
    for template in templates:
        template.full_clean()
    with transaction.atomic():
        Club.objects.select_for_update(no_key=True).get(pk=club.pk)  # one save at a time
        club.question_templates.all().delete()
        return QuestionTemplate.objects.bulk_create(templates)


# --- Nominations and votes --------------------------------------------------------------


class AlreadyNominated(ValidationError):
    """The paper is already nominated in this club; ``nomination`` is the open one."""

    def __init__(self, nomination: Nomination):
        super().__init__(
            _("This paper is already nominated: vote for it instead."), code="already_nominated"
        )
        self.nomination = nomination


def paper_find(value: str) -> Article | None:
    """
    The catalogue's paper for a DOI (any common form), a paper's address on this site or
    its page's URL; None for a well-formed DOI that is not on file. Raises ValidationError
    for anything else.
    """
    value = value.strip()
    try:
        doi = normalize_doi(value)
    except ValidationError:
        doi = ""
    if doi:
        return Article.objects.filter(doi=doi).first()
    slug = value.rstrip("/").rsplit("/", 1)[-1]
    article = Article.objects.filter(slug=slug).first() if slug else None
    if article is None:
        raise ValidationError(
            _(
                "No paper on file has this address. Give the paper's DOI "
                "(e.g. 10.1186/s12913-020-05145-1) or choose one from the catalogue."
            ),
            code="unknown_paper",
        )
    return article


def paper_resolve(*, value: str, member=None) -> Article:
    """
    The paper a member means (``paper_find``), adding one to the catalogue from Crossref
    (and DOAJ) when its DOI is not on file yet, as the admin's Add by DOI does.

    Raises ValidationError, with nothing saved, for a DOI no service knows, a service that
    cannot be reached or a record too incomplete to keep.
    """
    article = paper_find(value)
    if article is not None:
        return article
    doi = normalize_doi(value.strip())
    if member is not None:
        try:
            consume("lookup", member.pk)  # each lookup is a request to Crossref
        except RateLimited as limited:
            raise ValidationError(limited.message, code="rate_limited") from limited
    try:
        record = sources.lookup_doi(doi)  # network: outside any transaction
    except sources.RecordNotFound as error:
        raise ValidationError(
            _("No paper was found for the DOI %(doi)s: %(reason)s Check it and try again.")
            % {"doi": doi, "reason": error},
            code="doi_not_found",
        ) from error
    except sources.SourceError as error:
        raise ValidationError(str(error), code="source_unavailable") from error
    try:
        return article_services.article_create_from_record(record=record)
    except ValidationError as error:
        # Another member may have added it a moment ago.
        existing = Article.objects.filter(doi=record.doi or doi).first()
        if existing is not None:
            return existing
        raise ValidationError(
            _("The record found for this DOI cannot be added: %(reason)s")
            % {"reason": article_services.describe(error)},
            code="incomplete_record",
        ) from error


def nomination_create(*, club: Club, member, article: Article, reason: str) -> Nomination:
    """
    Nominate a paper for a future session of the club, with the member's reason.

    One open nomination per paper and club: a second raises ``AlreadyNominated`` (a
    ValidationError) carrying the open one, so that the member can vote for it instead.
    """
    check_can_nominate(member, club)
    nomination = Nomination(club=club, article=article, nominated_by=member, reason=reason.strip())
    nomination.full_clean(validate_constraints=False)
    existing = club.nominations.waiting().filter(article=article).first()
    if existing is not None:
        raise AlreadyNominated(existing)
    try:
        with transaction.atomic():
            nomination.save()
    except IntegrityError:  # nominated by someone else at the same moment
        raise AlreadyNominated(club.nominations.waiting().get(article=article)) from None
    return nomination


def vote_cast(*, nomination: Nomination, member, vote: bool = True) -> bool:
    """
    Vote for an open nomination (``vote``) or take the vote back; returns whether the member
    votes for it now. One vote per member, whatever the number of clicks.
    """
    check_can_nominate(member, nomination.club)
    with transaction.atomic():
        nomination = Nomination.objects.select_for_update(no_key=True).get(pk=nomination.pk)
        if nomination.status != Nomination.Status.OPEN:
            raise ValidationError(
                _("Voting on this nomination has ended."), code="nomination_closed"
            )
        if vote:
            Vote.objects.get_or_create(nomination=nomination, member=member)
        else:
            Vote.objects.filter(nomination=nomination, member=member).delete()
    return vote


def nomination_withdraw(*, nomination: Nomination, member) -> bool:
    """The nominator (or a lead) withdraws an open nomination; False if it was not open."""
    with transaction.atomic():
        nomination = (
            Nomination.objects.select_for_update(no_key=True)
            .select_related("club")
            .get(pk=nomination.pk)
        )
        if nomination.status != Nomination.Status.OPEN:
            return False
        if not can_withdraw(member, nomination):
            raise NotAllowed(_("Only the member who nominated this paper may withdraw it."))
        nomination.status = Nomination.Status.WITHDRAWN
        nomination.save(update_fields=["status"])
    return True


def nomination_choose(*, nomination: Nomination) -> Nomination:
    """
    Mark an open nomination chosen (its paper is to be discussed), in the caller's
    transaction; raises ValidationError if it is no longer open. Who may choose is the
    caller's rule (opening a discussion).
    """
    with transaction.atomic():
        nomination = Nomination.objects.select_for_update(no_key=True).get(pk=nomination.pk)
        if nomination.status != Nomination.Status.OPEN:
            raise ValidationError(
                _("This nomination was already chosen or withdrawn."), code="nomination_closed"
            )
        nomination.status = Nomination.Status.CHOSEN
        nomination.save(update_fields=["status"])
    return nomination
