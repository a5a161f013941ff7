"""
A discussion's comments as W3C Web Annotations (https://www.w3.org/TR/annotation-model/),
the form annotation tools (Hypothesis, reference managers, the scholarly web) read: an
``AnnotationCollection`` whose pages hold one ``Annotation`` per public comment.

- An answer is ``commenting`` on the paper: its target is the paper itself (the DOI's
  resolver address, else the paper's page here), with the discussion's question as its
  ``scope``. Besides the comment (a ``TextualBody`` of its rendered HTML), its body holds
  the question it answers, with ``purpose: "questioning"`` and the host as its creator:
  the question is the host's about the paper, and a reader of the annotation alone
  needs it to understand the answer.
- A reply is ``replying`` to what it answers: its target is that comment's annotation.
  A reply to a tombstone (deleted, hidden) still targets it: the address stays, and is
  where the reply belongs.

Only public comments (published, not deleted) are annotations; under a pseudonym the
creator is the pseudonym's name alone, with no nickname or home page. Every ``id`` is a
permanent address in the site's default language, the same whichever language's address
asked, so that an annotation is one resource wherever it is found.

A page is read in a fixed number of queries: the comments of the page as rows (one
query, ``Comment.objects.rows()``), their count, and the discussion's questions.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from core.structured import iso
from discussions.models import Comment, CommentRow, Discussion, public_comment_q

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
CONTENT_TYPE = f'application/ld+json; profile="{CONTEXT}"'
PER_PAGE = 200


def page_count(total: int) -> int:
    return max(1, -(-total // PER_PAGE))


def collection(discussion: Discussion, *, base: str, page: int | None) -> dict | None:
    """
    The collection (``page`` None: with its first page in it) or one of its pages (from
    1); None for a page past the last.
    """
    label = gettext("Comments on “%(title)s”") % {"title": discussion.article.title}
    comments = Comment.objects.for_discussion(discussion).filter(public_comment_q())
    total = comments.count()
    last = page_count(total)
    if page is not None and page > last:
        return None
    with translation.override(settings.LANGUAGE_CODE):  # ids in one language (see above)
        address = base + reverse("discovery:annotations", kwargs={"slug": discussion.slug})
        whole = {"id": address, "type": "AnnotationCollection", "label": label, "total": total}
        number = page or 1
        rows = comments.order_by("created_at", "id")[(number - 1) * PER_PAGE : number * PER_PAGE]
        page_data = {
            "id": f"{address}?page={number}",
            "type": "AnnotationPage",
            "startIndex": (number - 1) * PER_PAGE,
            "next": f"{address}?page={number + 1}" if number < last else None,
            "prev": f"{address}?page={number - 1}" if number > 1 else None,
            "items": _annotations(discussion, rows.rows(), base=base),
        }
        page_data = {key: value for key, value in page_data.items() if value is not None}
    if page is None:
        data = {**whole, "first": page_data}
        if last > 1:
            data["last"] = f"{address}?page={last}"
        return {"@context": CONTEXT, **data}
    return {"@context": CONTEXT, **page_data, "partOf": whole}


def _annotations(discussion: Discussion, rows, *, base: str) -> list[dict]:
    rows = list(rows)
    questions = (
        {question.pk: question for question in discussion.questions.all()}
        if any(row.parent_id is None for row in rows)
        else {}
    )
    generator = {
        "id": base + reverse("discussions:home"),
        "type": "Software",
        "name": gettext("Journal Club"),
        "homepage": base + reverse("discussions:home"),
    }
    paper = discussion.article.doi_url or base + discussion.article.get_absolute_url()
    host = _creator(
        name=discussion.host.name, username=discussion.host.username, pseudonymous=False, base=base
    )
    return [
        annotation(
            row,
            base=base,
            generator=generator,
            paper=paper,
            question=questions.get(row.question_id),
            discussion=discussion,
            host=host,
        )
        for row in rows
    ]


def _creator(*, name: str, username: str, pseudonymous: bool, base: str) -> dict:
    if pseudonymous:
        return {"type": "Person", "name": name}
    return {
        "type": "Person",
        "name": name,
        "nickname": username,
        "homepage": base + reverse("accounts:profile", kwargs={"username": username}),
    }


def permalink(pk: int, *, base: str) -> str:
    return base + reverse("discussions:comment", kwargs={"pk": pk})


def annotation(
    row: CommentRow,
    *,
    base: str,
    generator: dict,
    paper: str,
    question,
    discussion: Discussion,
    host: dict,
) -> dict:
    """One public comment as an ``Annotation`` (see the module's note)."""
    comment = {
        "type": "TextualBody",
        "value": row.body_html,  # rendered and sanitised when it was saved
        "format": "text/html",
        "language": row.language,
    }
    data = {
        "id": permalink(row.pk, base=base),
        "type": "Annotation",
        "created": iso(row.created_at),
        "modified": iso(row.edited_at or row.created_at),
        "creator": _creator(
            name=row.author_name,
            username=row.author_username,
            pseudonymous=row.pseudonymous,
            base=base,
        ),
        "generator": generator,
    }
    if row.parent_id is not None:
        return {
            **data,
            "motivation": "replying",
            "body": comment,
            "target": permalink(row.parent_id, base=base),
        }
    bodies: list[dict] = [{**comment, "purpose": "commenting"}]
    target = {"type": "SpecificResource", "source": paper}
    if question is not None:
        bodies.append(
            {
                "type": "TextualBody",
                "purpose": "questioning",
                "value": question.text,
                "format": "text/plain",
                "language": discussion.language,
                "creator": host,
            }
        )
        target["scope"] = base + question.get_absolute_url()
    return {**data, "motivation": "commenting", "body": bodies, "target": target}
