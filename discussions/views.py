"""
Discussion pages and the comment actions on them.

Every action works as a plain link or form without JavaScript. When htmx sends the request
(``request.htmx``), the same view answers with just the fragment to swap in: the reply form
under a comment, the new comment in its thread, the edited comment in place. Pages and
fragments alike are read through ``selectors`` and rendered from the same template
partials (``_comment.html``, ``_thread.html``).
"""

from collections import defaultdict
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import reswap, trigger_client_event

from core import pages
from core.errors import htmx_refusal
from core.ratelimits import RateLimited, consume
from core.redirects import next_url

from . import caching, fragments, selectors, services
from .forms import CommentForm, SynthesisForm
from .models import Comment, Discussion, Question
from .threads import MAX_DEPTH, Sort, answer_page_of

DISCUSSIONS_PER_PAGE = 20
# What the rights of a reader need of a discussion's club (``clubs.access``).
CLUB_FIELDS = ("club__id", "club__name", "club__slug", "club__visibility", "club__joining")
PENDING_EXPLANATION = gettext_lazy(
    "Thank you: your comment is saved. As a new member, your first comment is read by a "
    "moderator before others see it; until then it shows as “Awaiting review”, to you alone."
)
DISCUSSION_TEMPLATE = "discussions/discussion_detail.html"
MAIN_TEMPLATE = "discussions/_discussion_main.html"
ITEM_TEMPLATE = "discussions/_thread.html#item"


@require_safe
def home(request):
    """What the club is, its open discussions, and what is new to a signed-in member."""
    discussions = (
        Discussion.objects.visible_to(request.user)
        .open()
        .for_listing(member=request.user)
        .newest_first()
    )
    page = Paginator(discussions, DISCUSSIONS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_recent_participants(page.object_list)
    followed = selectors.followed_news(request.user) if request.user.is_authenticated else None
    return render(
        request,
        "discussions/discussion_list.html",
        {"page": page, "archive": False, "followed": followed},
    )


@require_safe
def archive(request):
    """Closed discussions, newest first."""
    discussions = (
        Discussion.objects.visible_to(request.user)
        .closed()
        .for_listing(member=request.user)
        .newest_first()
    )
    page = Paginator(discussions, DISCUSSIONS_PER_PAGE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_recent_participants(page.object_list)
    return render(request, "discussions/discussion_list.html", {"page": page, "archive": True})


@require_safe
def discussion_detail(request, slug):
    """
    A discussion: the paper, the host's commentary, and each question's thread. Readers
    who are not signed in get the whole page from the cache, rendered once per change.
    """
    sort = Sort.parse(request.GET.get("sort"))
    cacheable = _whole_page_cacheable(request)
    if cacheable:
        found = selectors.page_version(slug)
        if found is not None and found[2]:  # anyone may read it
            key = caching.page_key(discussion_id=found[0], version=found[1], sort=sort)
            content = cache.get(key)
            if content is not None:
                return HttpResponse(content)
    elif request.user.is_authenticated:
        served = _member_page_from_cache(request, slug, sort=sort)
        if served is not None:
            return served
    discussion = _get_discussion(request, slug)
    response = _render_discussion(request, discussion, sort=sort)
    for_all = discussion.status != Discussion.Status.DRAFT and not discussion.club.is_private
    if cacheable and for_all:
        key = caching.page_key(discussion_id=discussion.pk, version=discussion.version, sort=sort)
        cache.set(key, response.content, caching.PAGE_TIMEOUT)
    return response


@require_safe
def question_detail(request, slug, number):
    """One question's thread, a page of answers at a time (for long threads)."""
    discussion = _get_discussion(request, slug)
    question = get_object_or_404(discussion.questions, number=number)
    page = selectors.question_page(
        discussion,
        question,
        user=request.user,
        sort=Sort.parse(request.GET.get("sort")),
        page_number=request.GET.get("page"),
    )
    fragments.fill([page.question], page.reader, discussion)
    page.question.form = (
        _answer_form(question, pseudonym=_pseudonym_offer(request.user, discussion))
        if page.question.can_post
        else None
    )
    return render(
        request, "discussions/question_detail.html", {"page": page, **_page_context(page)}
    )


# --- Writing --------------------------------------------------------------------------------


@login_required
@require_POST
def comment_create(request, slug, number):
    """Post an answer to one of the discussion's questions (or preview it)."""
    discussion = _get_discussion(request, slug)
    question = get_object_or_404(discussion.questions, number=number)
    services.check_can_post(member=request.user, question=question)
    pseudonym = _pseudonym_offer(request.user, discussion)
    form = _answer_form(question, request.POST, pseudonym=pseudonym)
    comment, refusal = _attempt(
        request,
        form,
        lambda: services.comment_post(
            question=question,
            author=request.user,
            body=form.cleaned_data["body"],
            label=form.cleaned_data["label"],
            language=form.cleaned_data["language"],
            pseudonym=form.pseudonym_choice(),
        ),
    )
    if comment is not None:
        if not request.htmx:
            _told_if_held(request, comment)
            return redirect(_comment_location(discussion, comment))
        # A fresh form in place of the used one, and the answer added to the thread.
        placement = "afterbegin" if request.POST.get("sort") == Sort.NEWEST else "beforeend"
        response = render(
            request,
            "discussions/_comment_forms.html#answer-form",
            {
                "discussion": discussion,
                "question": question,
                "form": _answer_form(
                    question, pseudonym=_pseudonym_offer(request.user, discussion)
                ),
            },
        )
        item = _new_item(request, comment, depth=0)
        response.content += _oob(item, f"{placement}:#thread-{question.number}").encode()
        return _posted(response, comment)
    if refusal is not None:
        return refusal
    if request.htmx:
        return render(
            request,
            "discussions/_comment_forms.html#answer-form",
            {"discussion": discussion, "question": question, "form": form},
        )
    return _render_discussion(
        request, discussion, sort=Sort.parse(request.POST.get("sort")), bound=(question, form)
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def comment_reply(request, pk):
    """Reply to a comment: the form opens under it; the reply lands in its thread."""
    # The form (and a quotation) only under a comment whose text this member may read; a
    # reply sent meanwhile to one deleted or hidden is left to the service's rules, so that
    # what was typed is never answered with a 404.
    parent = _get_comment(request, pk, text=request.method != "POST")
    discussion = parent.question.discussion
    services.check_can_post(member=request.user, question=parent.question)
    pseudonym = _pseudonym_offer(request.user, discussion)
    if request.method != "POST":
        initial = (
            {"body": _quote(parent, request.GET.get("selection"))} if "quote" in request.GET else {}
        )
        form = _reply_form(parent, initial=initial, pseudonym=pseudonym)
    else:
        form = _reply_form(parent, data=request.POST, pseudonym=pseudonym)
        comment, refusal = _attempt(
            request,
            form,
            lambda: services.comment_post(
                question=parent.question,
                author=request.user,
                body=form.cleaned_data["body"],
                label=form.cleaned_data["label"],
                language=form.cleaned_data["language"],
                parent=parent,
                pseudonym=form.pseudonym_choice(),
            ),
        )
        if comment is not None:
            if request.htmx:
                response = HttpResponse(_reply_inserted(request, parent, comment))
                return _posted(reswap(response, "outerHTML"), comment)
            _told_if_held(request, comment)
            return redirect(_comment_location(discussion, comment))
        if refusal is not None:
            return refusal
    context = {"form": form, "comment": parent, "discussion": discussion, "action": "reply"}
    if request.htmx:
        return render(request, "discussions/_comment_forms.html#reply-form", context)
    return render(request, "discussions/comment_form.html", context, status=_status(form))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def comment_edit(request, pk):
    """Edit one's own comment; the form shows its Markdown source."""
    comment = _get_comment(request, pk)
    discussion = comment.question.discussion
    _require(services.can_edit_comment(request.user, comment, discussion), request)
    if request.method != "POST":
        form = _edit_form(comment)
    else:
        form = _edit_form(comment, data=request.POST)
        edited, refusal = _attempt(
            request,
            form,
            lambda: services.comment_edit(
                comment=comment,
                editor=request.user,
                body=form.cleaned_data["body"],
                label=form.cleaned_data["label"],
                language=form.cleaned_data["language"],
            ),
        )
        if edited is not None:
            if request.htmx:
                return _posted(HttpResponse(_comment_html(request, edited)), edited)
            return redirect(_comment_location(discussion, edited))
        if refusal is not None:
            return refusal
    context = {"form": form, "comment": comment, "discussion": discussion, "action": "edit"}
    if request.htmx:
        return render(request, "discussions/_comment_forms.html#edit-form", context)
    return render(request, "discussions/comment_form.html", context, status=_status(form))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def comment_delete(request, pk):
    """Delete one's own comment, after confirmation; replies stay under a tombstone."""
    comment = _get_comment(request, pk)
    discussion = comment.question.discussion
    if request.method == "POST":
        comment = services.comment_delete(comment=comment, actor=request.user)
        if request.htmx:
            return HttpResponse(_comment_html(request, comment))
        return redirect(_comment_location(discussion, comment))
    _require(services.can_delete_comment(request.user, comment), request)
    context = {"comment": comment, "discussion": discussion}
    if request.htmx:
        return render(request, "discussions/_comment_forms.html#delete-confirm", context)
    return render(request, "discussions/comment_confirm_delete.html", context)


@login_required
@require_POST
def comment_helpful(request, pk):
    """Mark a comment helpful, or take the mark back (the button says which)."""
    comment = _get_comment(request, pk)
    try:
        services.comment_mark_helpful(
            comment=comment, member=request.user, helpful=request.POST.get("helpful") != "0"
        )
    except RateLimited as error:
        return htmx_refusal(429, error.message, retry_after=error.retry_after)
    if request.htmx:
        return HttpResponse(_comment_html(request, comment))
    return redirect(_comment_location(comment.question.discussion, comment))


@login_required
@require_POST
def discussion_status(request, slug):
    """The host opens or closes their discussion."""
    discussion = _get_discussion(request, slug)
    _require(services.can_host(request.user, discussion), request)
    if request.POST.get("status") == Discussion.Status.OPEN:
        services.discussion_open(discussion=discussion)
    elif request.POST.get("status") == Discussion.Status.CLOSED:
        services.discussion_close(discussion=discussion)
    return redirect(discussion)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def question_synthesis(request, slug, number):
    """The host writes or updates the synthesis pinned above a question's answers."""
    discussion = _get_discussion(request, slug)
    question = get_object_or_404(discussion.questions, number=number)
    _require(services.can_write_synthesis(request.user, discussion), request)
    form = SynthesisForm(
        request.POST if request.method == "POST" else None,
        initial={"synthesis": question.synthesis, "is_answered": question.is_answered},
    )
    if request.method == "POST" and form.is_valid():
        saved, refusal = _attempt(
            request,
            form,
            lambda: services.question_synthesis_save(
                question=question, editor=request.user, **form.cleaned_data
            ),
        )
        if saved is not None:
            return redirect(f"{discussion.get_absolute_url()}#{question.anchor}")
        if refusal is not None:
            return refusal
    return render(
        request,
        "discussions/question_synthesis_form.html",
        {"discussion": discussion, "question": question, "form": form},
        status=_status(form),
    )


@login_required
@require_POST
def follow_toggle(request, kind, pk):
    """Follow or unfollow a discussion, a question or a thread (the form says which)."""
    target, url = _follow_target(request, kind, pk)
    wanted = request.POST.get("follow")
    following = services.follow_toggle(
        member=request.user, follow=None if wanted is None else wanted != "0", **{kind: target}
    )
    if request.htmx and kind == "thread" and not request.POST.get("next"):
        # The button in a comment's actions (discussions/_comment.html) swaps itself.
        return render(
            request,
            "discussions/_comment.html#follow-thread",
            {"comment": target, "following": following},
        )
    if request.htmx:
        return render(
            request,
            "discussions/_follow_button.html",
            {
                "follow_kind": kind,
                "follow_target": target,
                "following": following,
                "follow_next": next_url(request) or "",
            },
        )
    return redirect(next_url(request) or url)


# --- Reading single comments ----------------------------------------------------------------


@require_safe
def comment_permalink(request, pk):
    """A comment's permanent address: its place in the thread (or, for htmx, the comment)."""
    comment = _get_comment(request, pk)
    if request.htmx:
        return HttpResponse(_comment_html(request, comment))
    return redirect(_comment_location(comment.question.discussion, comment))


@require_safe
def comment_revisions(request, pk):
    """A comment's earlier versions, newest first (none for a deleted or hidden one)."""
    comment = _get_comment(request, pk, text=True)
    return render(
        request,
        "discussions/comment_revisions.html",
        {
            "comment": comment,
            "discussion": comment.question.discussion,
            "revisions": list(comment.revisions.all()),
        },
    )


# --- Rendering ------------------------------------------------------------------------------


def _render_discussion(request, discussion, *, sort: Sort, bound=None) -> HttpResponse:
    """
    The discussion page for this reader; ``bound`` (question, form) puts a submitted
    answer form (refused, or asking for a preview) back under its question, as typed.

    It is put together from cached parts; a member's page is then cached whole
    (``_member_page_key``), for ``_member_page_from_cache`` to serve next time.
    """
    user = request.user
    reader = selectors.reader_for(user, discussion)
    page = selectors.discussion_page(discussion, user=user, sort=sort, reader=reader)
    fragments.fill(page.questions, page.reader, discussion)
    pseudonym = _pseudonym_offer(user, discussion)
    for question in page.questions:
        if bound is not None and bound[0].pk == question.question.pk:
            question.form = bound[1]
        elif question.can_post:
            question.form = _answer_form(question.question, pseudonym=pseudonym)
    main = render_to_string(MAIN_TEMPLATE, _page_context(page), request)
    status = _status(bound[1]) if bound else 200
    context = {"page": page, "discussion": discussion, "main": mark_safe(main)}  # noqa: S308
    response = render(request, DISCUSSION_TEMPLATE, context, status=status)
    if reader.signed_in:
        key = _member_page_key(request, discussion, reader, sort) if bound is None else None
        if key:
            cache.set(key, response.content, caching.PAGE_TIMEOUT)
        services.discussion_visit_record(
            discussion_id=discussion.pk, member=user, previous=reader.last_visit
        )
    return response


def _member_page_from_cache(request, slug, *, sort: Sort) -> HttpResponse | None:
    """
    A member's page served whole, when nothing changed for them since it was rendered:
    what is theirs comes from the cache too, so this costs one narrow query of its own.
    """
    discussion = _narrow(
        Discussion.objects.visible_to(request.user)
        .select_related("club")
        .only("pk", "version", "status", "host_id", *CLUB_FIELDS),
        slug,
    )
    if discussion is None:
        return None
    reader = selectors.reader_for(request.user, discussion)
    key = _member_page_key(request, discussion, reader, sort)
    content = cache.get(key) if key else None
    if content is None:
        return None
    services.discussion_visit_record(
        discussion_id=discussion.pk, member=request.user, previous=reader.last_visit
    )
    return HttpResponse(content)


def _narrow(discussions, slug):
    """
    The discussion with this slug from a narrow queryset, or None: the one query of a
    page served from the cache (``get`` costs less to build than ``first``).
    """
    try:
        return discussions.get(slug=slug)
    except Discussion.DoesNotExist:
        return None


def _member_page_key(request, discussion, reader, sort: Sort) -> str | None:
    """The key of a member's whole page (``caching.reader_page_key``), if it may be cached."""
    csrf_secret = request.META.get("CSRF_COOKIE", "")
    if not csrf_secret or not _cacheable(request):
        return None
    user = request.user
    chrome = (user.name, user.is_staff, *pages.reader_parts(request))
    return caching.reader_page_key(
        discussion, reader, sort=sort, csrf_secret=csrf_secret, chrome=chrome
    )


def _page_context(page) -> dict:
    """The names every discussion page template and partial uses."""
    return {
        "page": page,
        "discussion": page.discussion,
        "reader": page.reader,
        "can_host": page.reader.can_host,
        "can_write_synthesis": page.reader.can_host,
        "can_lock": page.reader.can_lock,
        "suspension": page.reader.suspension,
        "sort": page.sort,
        "sorts": Sort.choices,
        # Where forms bring the reader back: the page with its parameters, normalised.
        "page_path": page.discussion.get_absolute_url()
        + ("" if page.sort == Sort.OLDEST else f"?sort={page.sort}"),
        # For the {% cache %} blocks of what every reader sees alike: 0 when caches are off.
        "fragment_timeout": caching.PAGE_TIMEOUT if caching.enabled() else 0,
    }


def _cacheable(request) -> bool:
    """A plain view, with no message waiting (a message shows once)."""
    return caching.enabled() and not request.htmx and not len(messages.get_messages(request))


def _whole_page_cacheable(request) -> bool:
    """A plain view by a reader who is not signed in (their page is the same for all)."""
    return not request.user.is_authenticated and _cacheable(request)


def _comment_html(request, comment: Comment) -> str:
    """One comment rendered for this reader, as the page shows it."""
    item, question, reader = selectors.comment_item(comment, user=request.user)
    return fragments.render(item, reader, question)


def _new_item(request, comment: Comment, *, depth: int, in_reply_to=None) -> str:
    """A new comment's list item in its thread, for this reader."""
    item, question, reader = selectors.comment_item(
        comment, user=request.user, depth=depth, parent=in_reply_to
    )
    item.html = fragments.render(item, reader, question)
    return render_to_string(ITEM_TEMPLATE, {"item": item, "question": question}, request)


def _oob(html: str, target: str) -> str:
    """``html`` to be placed at ``target`` (an htmx out-of-band swap)."""
    return render_to_string("discussions/_thread.html#oob", {"target": target, "html": html})


def _reply_inserted(request, parent: Comment, comment: Comment) -> str:
    """
    The htmx answer to a posted reply, which replaces the reply slot: the new reply placed
    where a full page load would show it (the first reply to a comment opens its reply
    list where the slot was; others go in out of band), and the slot gone.
    """
    # The rest of the thread's shape, oldest first, in one query: reply id -> parent id.
    shape = dict(
        Comment.objects.filter(root_id=comment.root_id)
        .exclude(pk=comment.pk)
        .order_by("created_at", "id")
        .values_list("pk", "parent_id")
    )
    children: dict[int, list[int]] = defaultdict(list)
    for pk, parent_id in shape.items():
        children[parent_id].append(pk)
    depth, ancestor = 0, parent.pk
    while ancestor in shape:
        ancestor = shape[ancestor]
        depth += 1
    if depth >= MAX_DEPTH:
        # Past the nesting limit, replies line up after the parent's last descendant.
        last = parent.pk
        while children.get(last):
            last = children[last][-1]
        item = _new_item(request, comment, depth=MAX_DEPTH, in_reply_to=parent)
        placed = _oob(item, f"afterend:#item-{last}")
    elif children.get(parent.pk):
        item = _new_item(request, comment, depth=depth + 1)
        placed = _oob(item, f"beforeend:#replies-{parent.pk}")
    else:  # the first reply: a reply list opens where the slot was
        item = _new_item(request, comment, depth=depth + 1)
        placed = render_to_string(
            "discussions/_thread.html#first-reply", {"pk": parent.pk, "html": item}
        )
    return placed


# --- Forms and their outcomes --------------------------------------------------------------


def _attempt(request, form, write: Callable):
    """
    Call ``write`` (a service) for a valid form. Returns (result, refusal): what the write
    returned, or the htmx answer to a refusal; both None when the form shows why.

    A refusal is answered once, here, the same way for every form: a ValidationError goes
    into the form (200); NotAllowed (403) and RateLimited (429) go next to the form with
    their status, as a message in the page, or for htmx as ``X-Message`` (the form is not
    swapped, so it keeps what was typed). A form asking for a preview is not written.
    """
    if not form.is_valid() or "preview" in request.POST:
        return None, None
    try:
        return write(), None
    except ValidationError as error:
        form.add_error(None, error)
    except services.NotAllowed as error:
        return None, _refused(request, form, 403, str(error))
    except RateLimited as error:
        return None, _refused(request, form, 429, error.message, retry_after=error.retry_after)
    return None, None


def _refused(request, form, status: int, message: str, retry_after=None):
    if request.htmx:
        return htmx_refusal(status, message, retry_after=retry_after)
    form.add_error(None, message)
    form.status = status
    return None


def _status(form) -> int:
    return getattr(form, "status", 200)


def _told_if_held(request, comment: Comment) -> None:
    """A comment that waits for a moderator: its author is told so, and why, at once."""
    if comment.status == Comment.Status.PENDING:
        messages.info(request, PENDING_EXPLANATION)


def _posted(response: HttpResponse, comment: Comment) -> HttpResponse:
    """Tell the page which comment just arrived, so that it can bring it into view."""
    return trigger_client_event(response, "commentPosted", {"id": comment.pk}, after="settle")


def _require(allowed: bool, request) -> None:
    """Refuse a GET for a form the member could not submit, with the reason."""
    if not allowed:
        raise services.NotAllowed(
            _("You can only edit or delete your own comments, in an open discussion.")
            if services.member_is_verified(request.user)
            else _("Please confirm your email address before joining the discussion.")
        )


# --- Helpers -------------------------------------------------------------------------------


def _get_discussion(request, slug) -> Discussion:
    """The discussion, if this visitor may see it (drafts are 404 except for staff)."""
    return get_object_or_404(
        Discussion.objects.visible_to(request.user).select_related(
            "article__journal", "host", "club"
        ),
        slug=slug,
    )


def _get_comment(request, pk, *, text: bool = False) -> Comment:
    """
    A comment this reader may see (``Comment.objects.visible_to``: the rule the thread
    pages apply), with its question and discussion; with ``text``, only one whose text
    they may read (no tombstone). Anything else is a 404, as if it did not exist.
    """
    comments = (
        Comment.objects.readable_by(request.user)
        if text
        else Comment.objects.visible_to(request.user)
    )
    return get_object_or_404(
        comments.select_related(
            "author", "pseudonym", "question__discussion__article", "question__discussion__club"
        ),
        pk=pk,
    )


def _follow_target(request, kind: str, pk: int):
    """The thing to follow, if this member may see it, and its address."""
    visible = Discussion.objects.visible_to(request.user)
    if kind == "discussion":
        discussion = get_object_or_404(visible, pk=pk)
        return discussion, discussion.get_absolute_url()
    if kind == "question":
        question = get_object_or_404(
            Question.objects.select_related("discussion__club").filter(discussion__in=visible),
            pk=pk,
        )
        return question, question.get_absolute_url()
    if kind == "thread":
        comment = get_object_or_404(
            Comment.objects.visible_to(request.user).select_related("root__question", "question"),
            pk=pk,
        )
        thread = comment.root or comment  # any comment of a thread stands for the thread
        return thread, thread.get_absolute_url()
    raise Http404


def _comment_location(discussion: Discussion, comment: Comment) -> str:
    """Where a comment is shown: the discussion page, or the question page it falls on."""
    page = answer_page_of(comment)
    if page == 1:
        return f"{discussion.get_absolute_url()}#{comment.anchor}"
    url = reverse(
        "discussions:question", kwargs={"slug": discussion.slug, "number": comment.question.number}
    )
    return f"{url}?page={page}#{comment.anchor}"


def _pseudonym_offer(user, discussion: Discussion) -> str | None:
    """What the forms offer of pseudonyms (``CommentForm``): a query only where allowed."""
    if not discussion.club.pseudonyms or not user.is_authenticated:
        return None
    mine = services.pseudonym_of(discussion=discussion, member=user)
    return mine.name if mine else ""


def _answer_form(question: Question, data=None, *, pseudonym: str | None = None) -> CommentForm:
    """The form under a question; its ids are numbered, as several share one page."""
    return CommentForm(
        data,
        auto_id=f"id_%s_{question.number}",
        label=_("Your answer"),
        language=question.discussion.language,
        pseudonym=pseudonym,
    )


def _reply_form(parent: Comment, **kwargs) -> CommentForm:
    return CommentForm(
        auto_id=f"id_%s_reply_{parent.pk}",
        label=_("Your reply"),
        language=parent.question.discussion.language,
        **kwargs,
    )


def _edit_form(comment: Comment, data=None) -> CommentForm:
    return CommentForm(
        data,
        initial={"body": comment.body, "label": comment.label},
        auto_id=f"id_%s_edit_{comment.pk}",
        label=_("Your comment"),
        language=comment.language,
    )


def _quote(comment: Comment, selection: str | None) -> str:
    """A Markdown quotation of the selected text (or the whole comment) with a link back."""
    text = (selection or "").strip() or comment.body
    quoted = "\n".join(f"> {line}" if line else ">" for line in text.splitlines())
    link = reverse("discussions:comment", kwargs={"pk": comment.pk})
    who = comment.shown_author_name if comment.pseudonym_id else f"@{comment.author.username}"
    return f"{quoted}\n>\n> — [{who}]({link})\n\n"


# --- The composer's live preview -----------------------------------------------------------


@login_required
@require_POST
def comment_preview(request):
    """A comment being written, rendered exactly as posting it would render it."""
    # Asked for by static/js/compose.js as the writer pauses: for those who may post, at a
    # bounded rate, and only for a text the form would take (the same length limit).
    if not services.member_can_participate(request.user):
        raise services.NotAllowed(_("Only confirmed members can preview a comment."))
    try:
        consume("preview", request.user.pk)
    except RateLimited as limited:
        return htmx_refusal(429, limited.message, retry_after=limited.retry_after)
    form = CommentForm({"body": request.POST.get("body", "")})
    length = len(form.cleaned_data["body"]) if form.is_valid() else 0
    if length > form.limit:  # the limit in force (the field's own was fixed at import)
        message = form.fields["body"].error_messages["max_length"]
        form.add_error("body", message % {"limit_value": form.limit, "show_value": length})
    html, refusal = "", ""
    if form.is_valid():
        html = services.render_comment_body(form.cleaned_data["body"])
    elif form.data["body"].strip():  # an empty text is simply nothing to preview yet
        refusal = str(form.errors["body"][0])
    return render(
        request, "discussions/_comment_forms.html#preview", {"html": html, "error": refusal}
    )
