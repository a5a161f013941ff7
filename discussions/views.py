"""
Discussion pages and the comment actions on them.

Every action works as a plain link or form without JavaScript. When htmx sends the request
(``request.htmx``), the same view answers with just the fragment to swap in: the reply form
under a comment, the new comment in its thread, the edited comment in place.
"""

import dataclasses
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import reswap, trigger_client_event

from config.errors import too_many_requests
from moderation.ratelimits import RateLimited
from moderation.services import can_lock, can_moderate
from notifications.services import follows_on_page

from . import caching, member_pages, services
from .forms import CommentForm, SynthesisForm
from .member_pages import CommentFacts
from .models import Comment, Discussion, Question, Reaction
from .rendering import ThreadView, render_comment, render_item, render_thread
from .threads import (
    ANSWERS_PER_PAGE,
    MAX_DEPTH,
    Sort,
    ThreadEntry,
    answer_page_of,
    first_page_threads,
    question_page_thread,
    question_stats,
)

DISCUSSIONS_PER_PAGE = 20
PENDING_EXPLANATION = gettext_lazy(
    "Thank you: your comment is saved. As a new member, your first comment is read by a "
    "moderator before others see it; until then it shows as “Awaiting review”, to you alone."
)


@require_safe
def home(request):
    """Open discussions, newest first, with what is new to a signed-in member."""
    discussions = Discussion.objects.open().for_listing(member=request.user).newest_first()
    page = Paginator(discussions, DISCUSSIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "discussions/discussion_list.html", {"page": page, "archive": False})


@require_safe
def archive(request):
    """Closed discussions, newest first."""
    discussions = Discussion.objects.closed().for_listing(member=request.user).newest_first()
    page = Paginator(discussions, DISCUSSIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "discussions/discussion_list.html", {"page": page, "archive": True})


@require_safe
def discussion_detail(request, slug):
    """
    A discussion: the paper, the host's commentary, and each question's thread. Readers
    who are not signed in get the page rendered once per change (``caching``); members
    get a page rendered once per change and completed for each of them (``member_pages``).
    """
    if member_pages.applies(request):
        response = member_pages.page(request, slug, render_member_shell)
        if response is not None:
            return response
    if not caching.cacheable(request):
        return _render_discussion(request, _get_discussion(request, slug))
    response = caching.cached_page(request, slug)
    if response is None:
        discussion = _get_discussion(request, slug)
        response = _render_discussion(request, discussion)
        caching.store_page(request, discussion, response)
    return response


@require_safe
def question_detail(request, slug, number):
    """One question's thread, a page of answers at a time (for long threads)."""
    discussion = _get_discussion(request, slug)
    question = get_object_or_404(discussion.questions, number=number)
    sort = Sort.parse(request.GET.get("sort"))
    stats, _participants = question_stats(discussion)
    question.stats = stats.get(question.pk)
    paginator = Paginator(range(question.stats.answers if question.stats else 0), ANSWERS_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    entries = question_page_thread(question, sort=sort, page=page.number, reader=request.user)
    view = _thread_view(
        request, discussion, [entry.comment.pk for entry in entries], question=question
    )
    question.thread_html = render_thread(entries, view, thread_id=f"thread-{question.number}")
    question.form = _answer_form(question) if view.can_post else None
    return render(
        request,
        "discussions/question_detail.html",
        {
            "discussion": discussion,
            "question": question,
            "page": page,
            "sort": sort,
            "can_post": view.can_post,
        },
    )


# --- Writing --------------------------------------------------------------------------------


@login_required
@require_POST
def comment_create(request, slug, number):
    """Post an answer to one of the discussion's questions (or preview it)."""
    discussion = _get_discussion(request, slug)
    question = get_object_or_404(discussion.questions, number=number)
    services.check_can_post(member=request.user, question=question)
    form = _answer_form(question, request.POST)
    status = 200
    if form.is_valid() and not _wants_preview(request):
        try:
            comment = services.comment_post(
                question=question,
                author=request.user,
                body=form.cleaned_data["body"],
                label=form.cleaned_data["label"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        except RateLimited as error:
            if request.htmx:
                return too_many_requests(error)
            form.add_error(None, error.message)
            status = 429
        else:
            if not request.htmx:
                _told_if_held(request, comment)
                return redirect(_comment_location(discussion, comment))
            # A fresh form in place of the used one, and the answer added to the thread.
            placement = "afterbegin" if request.POST.get("sort") == Sort.NEWEST else "beforeend"
            new_item = render_item(ThreadEntry(comment, 0), _thread_view(request, discussion))
            response = _fragment(
                request,
                "discussions/_comment_forms.html#answer-form",
                {"discussion": discussion, "question": question, "form": _answer_form(question)},
                oob=format_html(
                    '<div hx-swap-oob="{}:#thread-{}">{}</div>',
                    placement,
                    question.number,
                    new_item,
                ),
            )
            return _posted(response, comment)
    if request.htmx:
        return _fragment(
            request,
            "discussions/_comment_forms.html#answer-form",
            {"discussion": discussion, "question": question, "form": form},
        )
    response = _render_discussion(request, discussion, bound_form=(question.pk, form))
    response.status_code = status
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def comment_reply(request, pk):
    """Reply to a comment: the form opens under it; the reply lands in its thread."""
    # The form (and a quotation) only under a comment whose text this member may read; a
    # reply sent meanwhile to one deleted or hidden is left to the service's rules, so that
    # what was typed is never answered with a 404.
    parent = _get_comment(request, pk, text=request.method != "POST")
    discussion = parent.question.discussion
    if request.method != "POST":
        services.check_can_post(member=request.user, question=parent.question)
        initial = (
            {"body": _quote(parent, request.GET.get("selection"))} if "quote" in request.GET else {}
        )
        form = _reply_form(parent, initial=initial)
    status = 200
    if request.method == "POST":
        services.check_can_post(member=request.user, question=parent.question)
        form = _reply_form(parent, data=request.POST)
        if form.is_valid() and not _wants_preview(request):
            try:
                comment = services.comment_post(
                    question=parent.question,
                    author=request.user,
                    body=form.cleaned_data["body"],
                    label=form.cleaned_data["label"],
                    parent=parent,
                )
            except ValidationError as error:
                form.add_error(None, error)
            except RateLimited as error:
                if request.htmx:
                    return too_many_requests(error)
                form.add_error(None, error.message)
                status = 429
            else:
                if request.htmx:
                    response = HttpResponse(_reply_inserted(request, discussion, parent, comment))
                    return _posted(reswap(response, "outerHTML"), comment)
                _told_if_held(request, comment)
                return redirect(_comment_location(discussion, comment))
    context = {"form": form, "comment": parent, "discussion": discussion, "action": "reply"}
    if request.htmx:
        return render(request, "discussions/_comment_forms.html#reply-form", context)
    return render(request, "discussions/comment_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def comment_edit(request, pk):
    """Edit one's own comment; the form shows its Markdown source."""
    comment = _get_comment(request, pk)
    discussion = comment.question.discussion
    status = 200
    _require(services.can_edit_comment(request.user, comment, discussion), request)
    if request.method != "POST":
        form = _edit_form(comment)
    else:
        form = _edit_form(comment, data=request.POST)
        if form.is_valid() and not _wants_preview(request):
            try:
                comment = services.comment_edit(
                    comment=comment,
                    editor=request.user,
                    body=form.cleaned_data["body"],
                    label=form.cleaned_data["label"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            except RateLimited as error:
                if request.htmx:
                    return too_many_requests(error)
                form.add_error(None, error.message)
                status = 429
            else:
                if request.htmx:
                    response = HttpResponse(
                        render_comment(comment, _thread_view(request, discussion))
                    )
                    return _posted(response, comment)
                return redirect(_comment_location(discussion, comment))
    context = {"form": form, "comment": comment, "discussion": discussion, "action": "edit"}
    if request.htmx:
        return render(request, "discussions/_comment_forms.html#edit-form", context)
    return render(request, "discussions/comment_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def comment_delete(request, pk):
    """Delete one's own comment, after confirmation; replies stay under a tombstone."""
    comment = _get_comment(request, pk)
    discussion = comment.question.discussion
    if request.method == "POST":
        comment = services.comment_delete(comment=comment, actor=request.user)
        if request.htmx:
            return HttpResponse(render_comment(comment, _thread_view(request, discussion)))
        return redirect(_comment_location(discussion, comment))
    _require(services.can_delete_comment(request.user, comment), request)
    context = {"comment": comment, "discussion": discussion}
    if request.htmx:
        return render(request, "discussions/_comment_forms.html#delete-confirm", context)
    return render(request, "discussions/comment_confirm_delete.html", context)


@login_required
@require_POST
def comment_helpful(request, pk):
    """Mark a comment helpful, or take the mark back (the form says which)."""
    comment = _get_comment(request, pk)
    try:
        services.comment_mark_helpful(
            comment=comment, member=request.user, helpful=request.POST.get("helpful") != "0"
        )
    except RateLimited as error:
        return too_many_requests(error)
    if request.htmx:
        comment.refresh_from_db(fields=["helpful_count"])
        view = _thread_view(request, comment.question.discussion, [comment.pk])
        return HttpResponse(render_comment(comment, view))
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
        try:
            services.question_synthesis_save(
                question=question, editor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect(f"{discussion.get_absolute_url()}#{question.anchor}")
    return render(
        request,
        "discussions/question_synthesis_form.html",
        {"discussion": discussion, "question": question, "form": form},
    )


# --- Reading single comments ----------------------------------------------------------------


@require_safe
def comment_permalink(request, pk):
    """A comment's permanent address: its place in the thread (or, for htmx, the comment)."""
    comment = _get_comment(request, pk)
    discussion = comment.question.discussion
    if request.htmx:
        return HttpResponse(render_comment(comment, _thread_view(request, discussion)))
    return redirect(_comment_location(discussion, comment))


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


# --- Helpers -------------------------------------------------------------------------------


def _get_discussion(request, slug) -> Discussion:
    """The discussion, if this visitor may see it (drafts are 404 except for staff)."""
    return get_object_or_404(
        Discussion.objects.visible_to(request.user).select_related("article__journal", "host"),
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
        comments.select_related("author", "question__discussion__article"), pk=pk
    )


def _comment_location(discussion: Discussion, comment: Comment) -> str:
    """Where a comment is shown: the discussion page, or the question page it falls on."""
    page = answer_page_of(comment)
    if page == 1:
        return f"{discussion.get_absolute_url()}#{comment.anchor}"
    url = reverse(
        "discussions:question", kwargs={"slug": discussion.slug, "number": comment.question.number}
    )
    return f"{url}?page={page}#{comment.anchor}"


def _answer_form(question: Question, data=None) -> CommentForm:
    """The form under a question; its ids are numbered, as several share one page."""
    return CommentForm(data, auto_id=f"id_%s_{question.number}", label=_("Your answer"))


def _reply_form(parent: Comment, **kwargs) -> CommentForm:
    return CommentForm(auto_id=f"id_%s_reply_{parent.pk}", label=_("Your reply"), **kwargs)


def _edit_form(comment: Comment, data=None) -> CommentForm:
    return CommentForm(
        data,
        initial={"body": comment.body, "label": comment.label},
        auto_id=f"id_%s_edit_{comment.pk}",
        label=_("Your comment"),
    )


def _wants_preview(request) -> bool:
    return "preview" in request.POST


def _quote(comment: Comment, selection: str | None) -> str:
    """A Markdown quotation of the selected text (or the whole comment) with a link back."""
    text = (selection or "").strip() or comment.body
    quoted = "\n".join(f"> {line}" if line else ">" for line in text.splitlines())
    link = reverse("discussions:comment", kwargs={"pk": comment.pk})
    return f"{quoted}\n>\n> — [@{comment.author.username}]({link})\n\n"


def _require(allowed: bool, request) -> None:
    """Refuse a GET for a form the member could not submit, with the reason."""
    if not allowed:
        raise services.NotAllowed(
            _("You can only edit or delete your own comments, in an open discussion.")
            if services.member_is_verified(request.user)
            else _("Please confirm your email address before joining the discussion.")
        )


def _told_if_held(request, comment: Comment) -> None:
    """A comment that waits for a moderator: its author is told so, and why, at once."""
    if comment.status == Comment.Status.PENDING:
        messages.info(request, PENDING_EXPLANATION)


def _posted(response: HttpResponse, comment: Comment) -> HttpResponse:
    """Tell the page which comment just arrived, so that it can bring it into view."""
    return trigger_client_event(response, "commentPosted", {"id": comment.pk}, after="settle")


def _fragment(request, template_name: str, context: dict, *, oob: str = "") -> HttpResponse:
    response = render(request, template_name, context)
    response.content += oob.encode()
    return response


def _thread_view(request, discussion: Discussion, comments=(), question=None) -> ThreadView:
    """The per-request facts the thread renderer needs, with the reader's helpful marks."""
    can_post = discussion.is_open and services.member_can_participate(request.user)
    if question is not None and question.lock_note:
        can_post = False
    helpful_ids: frozenset[int] = frozenset()
    if can_post and comments:
        helpful_ids = frozenset(
            Reaction.objects.filter(member=request.user, comment__in=comments).values_list(
                "comment_id", flat=True
            )
        )
    return ThreadView(
        viewer_id=request.user.pk,
        can_post=can_post,
        can_moderate=can_moderate(request.user),
        is_open=discussion.is_open,
        helpful_ids=helpful_ids,
        csrf_token=get_token(request),
    )


def _reply_inserted(request, discussion: Discussion, parent: Comment, comment: Comment) -> str:
    """
    The htmx answer to a posted reply: the reply slot emptied, and the new reply placed
    where a full page load would show it.
    """
    view = _thread_view(request, discussion)
    slot = format_html('<div class="reply-slot" id="reply-slot-{}"></div>', parent.pk)
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
        item = render_item(ThreadEntry(comment, MAX_DEPTH, in_reply_to=parent), view)
        return slot + format_html('<div hx-swap-oob="afterend:#item-{}">{}</div>', last, item)
    item = render_item(ThreadEntry(comment, depth + 1), view)
    if children.get(parent.pk):
        return slot + format_html(
            '<div hx-swap-oob="beforeend:#replies-{}">{}</div>', parent.pk, item
        )
    return slot + format_html('<ol class="replies" id="replies-{}">{}</ol>', parent.pk, item)


DISCUSSION_TEMPLATE = "discussions/discussion_detail.html"


def _render_discussion(request, discussion, *, bound_form: tuple[int, CommentForm] | None = None):
    """
    Render the discussion page; ``bound_form`` puts a submitted answer form (invalid, or
    asking for a preview) back under its question, with what the member typed.
    """
    context, _comments = _discussion_page(request, discussion, bound_form=bound_form)
    return render(request, DISCUSSION_TEMPLATE, context)


def render_member_shell(request, discussion, *, nonce: str) -> tuple[str, list[CommentFacts]]:
    """The page ``member_pages`` completes for each member who may do what this one may."""
    context, comments = _discussion_page(request, discussion, nonce=nonce)
    return render_to_string(DISCUSSION_TEMPLATE, context, request), comments


def _discussion_page(request, discussion, *, bound_form=None, nonce: str = ""):
    """
    The discussion page's context, and the facts of every comment it shows.

    The page's cost does not depend on the size of its threads: each question's first
    page of answers and their reply trees come in two queries for all questions, and
    everything about the reader is decided once, here.

    With a ``nonce``, this is the shell of ``member_pages``: the page as this member
    would see it if they owned, marked and followed nothing and had nothing new, with
    markers where those bits go, and with no comment awaiting review.
    """
    article = discussion.article
    sort = Sort.parse(request.GET.get("sort"))
    seen_before = None
    if request.user.is_authenticated and not nonce:
        seen_before = services.discussion_visit(discussion_id=discussion.pk, member=request.user)
    questions = list(discussion.questions.all())
    reader = AnonymousUser() if nonce else request.user
    threads = first_page_threads(discussion, sort=sort, reader=reader)
    stats, participants = question_stats(discussion)
    shown = [entry.comment.pk for entries in threads.values() for entry in entries]
    view = _thread_view(request, discussion, () if nonce else shown)
    if nonce:
        view = dataclasses.replace(
            view,
            viewer_id=None,
            csrf_token=member_pages.placeholder(nonce),
            followed_thread_ids=frozenset(),
            page_path=request.get_full_path(),
            marker=nonce,
        )
    elif request.user.is_authenticated:
        followed = follows_on_page(request, discussion.pk)  # loaded once, the template reuses it
        view = dataclasses.replace(
            view,
            followed_thread_ids=frozenset(pk for kind, pk in followed if kind == "thread"),
            page_path=request.get_full_path(),
        )
    first_new = None
    comments = []
    for question in questions:
        entries = threads.get(question.pk, [])
        question.stats = stats.get(question.pk)
        question_view = dataclasses.replace(view, can_post=view.can_post and not question.lock_note)
        for entry in entries:
            comment = entry.comment
            if seen_before is not None:
                entry.is_new = (
                    comment.created_at > seen_before and comment.author_id != view.viewer_id
                )
                if entry.is_new and first_new is None and not comment.deleted_at:
                    first_new = comment
            if nonce:
                comments.append(CommentFacts.of(comment, can_post=question_view.can_post))
        question.thread_html = render_thread(
            entries, question_view, thread_id=f"thread-{question.number}"
        )
        question.more_answers = question.stats and question.stats.answers > ANSWERS_PER_PAGE
        if bound_form and bound_form[0] == question.pk:
            question.form = bound_form[1]
        elif question_view.can_post:
            question.form = _answer_form(question)
    context = {
        "discussion": discussion,
        "article": article,
        "authors": list(article.authors.all()),
        "abstract_sections": list(article.abstract_sections.all()),
        "subjects": list(article.subjects.all()),
        "questions": questions,
        "can_post": view.can_post,
        "can_write_synthesis": services.can_write_synthesis(request.user, discussion),
        "can_host": services.can_host(request.user, discussion),
        "can_lock": can_lock(request.user),
        "suspension": services.member_suspension(request.user)
        if request.user.is_authenticated and not view.can_post
        else None,
        "sort": sort,
        "sorts": Sort.choices,
        "participants": participants,
        "comment_total": sum(s.comments for s in stats.values()),
        "first_new": first_new,
    }
    if nonce:
        context |= {"page_nonce": nonce, "csrf_token": mark_safe(view.csrf_token)}  # noqa: S308
    return context, comments
