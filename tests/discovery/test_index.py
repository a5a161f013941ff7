import datetime

import pytest
from django.core.management import call_command
from django.db import connection

from articles.records import ArticleRecord, AuthorRecord
from articles.services import article_create_from_record, article_update_from_record
from discovery import index
from discovery.authors import author_key
from discovery.models import AuthorKey, SearchEntry, SpellingWord
from discussions import services, signals
from discussions.models import Comment, Discussion, DiscussionTranslation
from tests.discovery import factories as make
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def entry(key: str) -> SearchEntry | None:
    return SearchEntry.objects.filter(key=key).first()


def test_posting_a_comment_through_the_service_indexes_it(discussion, member):
    comment = services.comment_post(
        question=discussion.questions.first(), author=member, body="Fidelity *matters* here."
    )
    indexed = entry(f"comment:{comment.pk}")
    assert indexed.kind == SearchEntry.Kind.COMMENT
    assert indexed.body == "Fidelity matters here."
    assert indexed.discussion_id == discussion.pk
    assert indexed.article_id == discussion.article_id
    if connection.vendor == "postgresql":
        assert indexed.search_vector  # computed in the same upsert


def test_editing_a_comment_through_the_service_reindexes_it(discussion, member):
    comment = services.comment_post(
        question=discussion.questions.first(), author=member, body="First words."
    )
    services.comment_edit(comment=comment, editor=member, body="Second thoughts on fidelity.")
    assert entry(f"comment:{comment.pk}").body == "Second thoughts on fidelity."
    assert SearchEntry.objects.filter(kind=SearchEntry.Kind.COMMENT).count() == 1


def test_deleting_a_comment_through_the_service_removes_it(discussion, member):
    comment = services.comment_post(
        question=discussion.questions.first(), author=member, body="Words to take back."
    )
    services.comment_delete(comment=comment, actor=member)
    assert entry(f"comment:{comment.pk}") is None


def test_opening_and_closing_a_discussion_indexes_its_commentary():
    draft = make.discussion(
        commentary="Why **fidelity** matters.", status=Discussion.Status.DRAFT, indexed=False
    )
    services.discussion_open(discussion=draft)
    assert entry(f"commentary:{draft.pk}").body == "Why fidelity matters."
    services.discussion_close(discussion=draft)
    assert SearchEntry.objects.filter(key=f"commentary:{draft.pk}").count() == 1


def test_a_discussion_without_commentary_has_no_entry():
    bare = make.discussion(commentary="", indexed=False)
    index.index_discussion(bare)
    assert entry(f"commentary:{bare.pk}") is None


def test_papers_created_and_updated_from_records_are_indexed_with_their_authors():
    record = ArticleRecord(
        title="Knowledge brokers in practice",
        authors=[
            AuthorRecord(family="Albers", given="Bianca"),
            AuthorRecord(family="Metz", given="Allison J.", orcid="0000-0002-1825-0097"),
        ],
        journal_title="Implementation Science",
        published_on=datetime.date(2021, 3, 1),
        doi="10.1186/s13012-021-00001-x",
        subjects=["Knowledge translation"],
        abstract_sections=[("Background", "Brokers connect research and practice.")],
    )
    article = article_create_from_record(record=record)
    paper = entry(f"paper:{article.pk}")
    assert paper.title == "Knowledge brokers in practice"
    assert paper.authors == "Bianca Albers; Allison J. Metz"
    assert "Knowledge translation" in paper.keywords
    assert "Implementation Science" in paper.keywords
    assert "10.1186/s13012-021-00001-x" in paper.keywords
    assert paper.body == "Background: Brokers connect research and practice."
    keys = list(AuthorKey.objects.filter(article=article).values_list("key", flat=True))
    assert keys == ["albers-b", "0000-0002-1825-0097"]

    record.title = "Knowledge brokers in practice: a review"
    article_update_from_record(article=article, record=record)
    assert entry(f"paper:{article.pk}").title == "Knowledge brokers in practice: a review"
    assert AuthorKey.objects.filter(article=article).count() == 2


def spelling_list() -> set[str]:
    return set(SpellingWord.objects.values_list("word", flat=True))


def test_indexing_a_paper_puts_its_title_and_author_words_on_the_spelling_list():
    make.paper("Fidelity in 2020", authors=(("Bianca", "Albers", ""),), abstract="Clinics.")
    assert spelling_list() == {"fidelity", "bianca", "albers"}
    make.paper("Fidelity again", authors=(("Allison", "Metz", ""),))
    assert spelling_list() == {"fidelity", "bianca", "albers", "again", "allison", "metz"}


def test_the_rebuild_writes_the_spelling_list_again():
    make.paper("Brokers", authors=(("Ann", "Smith", ""),), indexed=False)
    SpellingWord.objects.create(word="leftover")
    index.rebuild()
    assert spelling_list() == {"brokers", "ann", "smith"}


def test_indexed_text_has_no_tags_entities_or_control_characters():
    assert index.plain_text("<p>a &amp; b</p><p>c\x02d\x00</p>") == "a & b c d"


@pytest.mark.parametrize(
    ("family", "given", "orcid", "key"),
    [
        ("Albers", "Bianca", "", "albers-b"),
        ("Metz", "Allison J.", "", "metz-aj"),
        ("Müller", "Hans-Peter", "", "muller-hp"),
        ("van der Berg", "Jan", "", "van-der-berg-j"),
        ("World Health Organization", "", "", "world-health-organization"),
        ("Albers", "Bianca", "0000-0002-1825-009x", "0000-0002-1825-009X"),
        ("Albers", "Bianca", "not an orcid", "albers-b"),
        ("王", "小明", "", "王-小"),
    ],
)
def test_author_keys(family, given, orcid, key):
    assert author_key(family_name=family, given_name=given, orcid=orcid) == key


def test_rebuild_writes_every_visible_thing_once_and_is_idempotent():
    open_discussion = make.discussion(commentary="Commentary text.", indexed=False)
    make.comment(open_discussion, "One comment.", indexed=False)
    deleted = make.comment(open_discussion, "Gone.", indexed=False)
    Comment.objects.filter(pk=deleted.pk).update(body="", body_html="", deleted_at=make.days_ago(1))
    make.paper("An undiscussed paper", indexed=False)

    first = index.rebuild()
    assert first == {"paper": 2, "commentary": 1, "comment": 1}
    assert index.rebuild() == first
    assert SearchEntry.objects.count() == 4
    assert not SearchEntry.objects.filter(comment=deleted).exists()
    assert AuthorKey.objects.count() == 2
    if connection.vendor == "postgresql":
        assert not SearchEntry.objects.filter(search_vector__isnull=True).exists()


def test_refresh_stale_catches_up_with_edits_made_outside_the_services():
    article = make.paper("Old title")
    chat = make.discussion(article, commentary="")
    posted = make.comment(chat, "Indexed already.")
    unindexed = make.comment(chat, "Imported without the index.", indexed=False)
    article.title = "New title"
    article.save()  # as the admin does
    chat.commentary = "Added in the admin."
    chat.save()
    Comment.objects.filter(pk=posted.pk).update(deleted_at=make.days_ago(0))

    touched = index.refresh_stale()
    assert touched == {"paper": 1, "commentary": 1, "comment": 2}
    assert entry(f"paper:{article.pk}").title == "New title"
    assert entry(f"commentary:{chat.pk}").body == "Added in the admin."
    assert entry(f"comment:{unindexed.pk}") is not None
    assert entry(f"comment:{posted.pk}") is None
    assert index.refresh_stale() == {"paper": 0, "commentary": 0, "comment": 0}


def test_the_rebuild_command(capsys):
    make.paper(indexed=False)
    call_command("rebuild_search_index")
    assert "1 paper" in capsys.readouterr().out
    call_command("rebuild_search_index", "--stale")
    assert "Nothing was stale" in capsys.readouterr().out


def test_a_comment_by_a_member_awaiting_review_is_indexed_but_not_shown(client, discussion):
    author = UserFactory()
    comment = make.comment(discussion, "Pending fidelity words.", author=author)
    if not hasattr(comment, "status"):
        pytest.skip("comments have no moderation status")
    Comment.objects.filter(pk=comment.pk).update(status="pending")
    assert entry(f"comment:{comment.pk}") is not None
    response = client.get("/search/", {"q": "pending fidelity"})
    assert "Pending fidelity words" not in response.content.decode()


# --- Languages -----------------------------------------------------------------------------


def vector(key: str) -> set[str]:
    """The lexemes of an entry's search vector (PostgreSQL)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_to_string(tsvector_to_array(search_vector), ' ')"
            " FROM discovery_searchentry WHERE key = %s",
            [key],
        )
        return set(cursor.fetchone()[0].split())


@pytest.mark.parametrize(
    ("code", "language"), [("fr", "fr"), ("fr-CA", "fr"), ("en", "en"), ("de", "en")]
)
def test_a_paper_is_indexed_in_its_language(code, language):
    article = make.paper("Les connaissances des infirmières", language=code)
    assert entry(f"paper:{article.pk}").language == language


def test_a_french_paper_is_indexed_with_french_stemming(postgres_only):
    article = make.paper(
        "Les connaissances des infirmières", abstract="Évaluation des programmes.", language="fr"
    )
    lexemes = vector(f"paper:{article.pk}")
    assert {"connaiss", "infirmier", "evalu", "programm"} <= lexemes
    assert "des" not in lexemes  # a French stop word
    english = make.paper("The nurses' knowledge", abstract="Evaluation des programmes.")
    assert {"nurs", "knowledg", "evalu", "des"} <= vector(f"paper:{english.pk}")


def test_comments_and_commentaries_are_indexed_in_their_language():
    chat = make.discussion(commentary="Une évaluation.", language="fr")
    french = make.comment(chat, "Les connaissances.", language="fr")
    english = make.comment(chat, "Knowledge.", language="en")
    assert entry(f"commentary:{chat.pk}").language == "fr"
    assert entry(f"comment:{french.pk}").language == "fr"
    assert entry(f"comment:{english.pk}").language == "en"


def test_correcting_a_comments_language_reindexes_it(discussion, member):
    comment = services.comment_post(
        question=discussion.questions.first(), author=member, body="Les connaissances."
    )
    assert entry(f"comment:{comment.pk}").language == "en"
    services.comment_language_set(comment=comment, actor=member, language="fr")
    assert entry(f"comment:{comment.pk}").language == "fr"
    if connection.vendor == "postgresql":
        assert "connaiss" in vector(f"comment:{comment.pk}")


def test_each_translation_of_a_commentary_is_an_entry_of_its_discussion():
    chat = make.discussion(commentary="Why **fidelity** matters.", language="en")
    translation = make.translation(chat, "Pourquoi la *fidélité* compte.")
    french = entry(f"commentary:{chat.pk}:fr")
    assert french.kind == SearchEntry.Kind.COMMENTARY
    assert french.discussion_id == chat.pk
    assert french.article_id == chat.article_id
    assert french.language == "fr"
    assert french.body == "Pourquoi la fidélité compte."
    assert entry(f"commentary:{chat.pk}").body == "Why fidelity matters."

    translation.commentary = "La fidélité, encore."
    translation.save()
    signals.discussion_changed.send(sender=Discussion, discussion=chat)  # as the services do
    assert entry(f"commentary:{chat.pk}:fr").body == "La fidélité, encore."
    translation.commentary = " "
    translation.save()
    index.index_discussion(chat)
    assert entry(f"commentary:{chat.pk}:fr") is None
    assert entry(f"commentary:{chat.pk}") is not None


def test_a_removed_translation_leaves_the_index_and_the_commentary_stays():
    chat = make.discussion(commentary="", language="en")
    translation = make.translation(chat, "Seulement en français.")
    assert entry(f"commentary:{chat.pk}") is None
    assert entry(f"commentary:{chat.pk}:fr") is not None
    translation.delete()
    index.index_discussion(chat)
    assert not SearchEntry.objects.filter(discussion=chat).exists()


def test_a_translation_into_the_discussions_own_language_is_not_indexed():
    chat = make.discussion(commentary="Une évaluation.", language="fr")
    make.translation(chat, "Une autre évaluation.", language="fr")
    assert list(SearchEntry.objects.filter(discussion=chat).values_list("key", flat=True)) == [
        f"commentary:{chat.pk}"
    ]


def test_the_rebuild_writes_translations_too():
    chat = make.discussion(commentary="Commentary text.", indexed=False)
    make.translation(chat, "Le commentaire.", indexed=False)
    make.translation(make.discussion(commentary="", indexed=False), "", indexed=False)
    assert index.rebuild() == {"paper": 2, "commentary": 2, "comment": 0}
    assert entry(f"commentary:{chat.pk}:fr").body == "Le commentaire."
    assert entry(f"commentary:{chat.pk}:fr").language == "fr"


def test_refresh_stale_catches_up_with_translations():
    chat = make.discussion(commentary="Commentary text.")
    translation = make.translation(chat, "Ajouté dans l'admin.", indexed=False)
    assert index.refresh_stale() == {"paper": 0, "commentary": 1, "comment": 0}
    assert entry(f"commentary:{chat.pk}:fr").body == "Ajouté dans l'admin."
    assert index.refresh_stale() == {"paper": 0, "commentary": 0, "comment": 0}

    translation.commentary = "Corrigé dans l'admin."
    translation.save()
    assert index.refresh_stale() == {"paper": 0, "commentary": 1, "comment": 0}
    assert entry(f"commentary:{chat.pk}:fr").body == "Corrigé dans l'admin."

    DiscussionTranslation.objects.filter(pk=translation.pk).delete()
    assert index.refresh_stale() == {"paper": 0, "commentary": 1, "comment": 0}
    assert entry(f"commentary:{chat.pk}:fr") is None
    assert entry(f"commentary:{chat.pk}") is not None
    assert index.refresh_stale() == {"paper": 0, "commentary": 0, "comment": 0}
