import json
import re

import pytest
from django.urls import reverse

from articles.sources import parse_records
from discussions.models import Discussion
from tests.factories import ArticleFactory, AuthorFactory, DiscussionFactory

FORMATS = [
    ("bib", "application/x-bibtex; charset=utf-8"),
    ("ris", "application/x-research-info-systems; charset=utf-8"),
    ("json", "application/vnd.citationstyles.csl+json"),
]


@pytest.mark.parametrize(("fmt", "content_type"), FORMATS)
def test_a_paper_downloads_in_each_format(client, stored_papers, fmt, content_type):
    article = stored_papers[0]

    response = client.get(reverse("articles:cite", args=[article.slug, fmt]))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="albers-2020-implementation-support-practitioners.{fmt}"'
    )
    (entry,) = parse_records(response.content.decode(), filename=f"x.{fmt}")
    assert entry.record.doi == article.doi


def test_the_albers_bibtex_download(client, stored_papers):
    response = client.get("/papers/albers-2020-implementation-support-practitioners/cite.bib")

    assert response.content.decode().startswith(
        "@article{albers2020implementation,\n"
        "  author = {Albers, Bianca and Metz, Allison and Burke, Katie},\n"
        "  title = {Implementation support practitioners – a proposal for consolidating a "
        "diverse evidence base},\n"
        "  journal = {BMC Health Services Research},\n"
    )


def test_unknown_formats_and_papers_are_404(client, stored_papers):
    assert client.get(f"/papers/{stored_papers[0].slug}/cite.docx").status_code == 404
    assert client.get("/papers/no-such-paper/cite.bib").status_code == 404


def test_the_paper_page_carries_meta_tags_coins_and_the_cite_section(client, stored_papers):
    article = stored_papers[1]

    content = client.get(article.get_absolute_url()).content.decode()

    head = content[: content.index("</head>")]
    assert (
        '<meta name="citation_title" content="Knowledge brokering in situ: a realist evaluation">'
        in head
    )
    assert head.index('content="Carberry, Josiah"') < head.index('content="Brown University"')
    assert head.index('content="Brown University"') < head.index(
        'content="The Knowledge Mobilisation Collaborative"'
    )
    assert (
        '<meta name="citation_author_orcid" content="https://orcid.org/0000-0002-1825-0097">'
        in head
    )
    assert '<meta name="citation_publication_date" content="2021/03">' in head
    assert '<meta name="citation_doi" content="10.5555/jc.2021.0042">' in head
    assert (
        '<meta name="citation_abstract_html_url" '
        f'content="http://testserver{article.get_absolute_url()}">'
    ) in head
    assert (
        '<meta name="citation_journal_title" content="Journal of Examples &amp; Evidence">' in head
    )
    coins = re.search(r'<span class="Z3988" translate="no" title="([^"]+)"></span>', content)
    assert coins
    assert "rft.atitle=Knowledge%20brokering" in coins.group(1)
    assert (
        'id="cite-apa">Carberry, J., &amp; The Knowledge Mobilisation Collaborative. (2021).'
        in content
    )
    assert 'data-copy-target="#cite-apa"' in content
    for fmt, _content_type in FORMATS:
        assert f'href="{reverse("articles:cite", args=[article.slug, fmt])}"' in content
    assert 'src="/static/js/copy.js" defer' in content
    assert "<script>" not in content  # no inline script: a strict CSP comes later


@pytest.mark.usefixtures("clubs_counted")
def test_citing_adds_no_query_per_author(client, db, django_assert_num_queries):
    article = ArticleFactory()
    for position in range(3, 40):
        AuthorFactory(article=article, position=position, family_name=f"Author{position}")
    # article+journal, authors, abstract sections, subjects, discussions
    with django_assert_num_queries(5):
        response = client.get(article.get_absolute_url())

    assert response.content.decode().count('name="citation_author"') == 39


def test_the_discussion_page_cites_the_discussion_and_links_the_papers_downloads(client, db):
    discussion = DiscussionFactory(host__display_name="Priya Raman")

    content = client.get(discussion.get_absolute_url()).content.decode()

    assert 'id="cite-discussion">Priya Raman. (' in content
    assert "[Journal club discussion]. Journal Club." in content
    assert reverse("discussions:cite", args=[discussion.slug, "bib"]) in content
    assert reverse("articles:cite", args=[discussion.article.slug, "ris"]) in content
    # The discussion page is not the paper: no Highwire tags for it there.
    assert 'name="citation_title"' not in content


@pytest.mark.parametrize(("fmt", "content_type"), FORMATS)
def test_a_discussion_downloads_as_a_web_page(client, db, fmt, content_type):
    discussion = DiscussionFactory(slug="implementation-support")

    response = client.get(reverse("discussions:cite", args=[discussion.slug, fmt]))

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="implementation-support.{fmt}"'
    )
    if fmt == "json":
        (item,) = json.loads(response.content)
        assert item["type"] == "webpage"
        assert item["URL"] == "http://testserver/discussions/implementation-support/"


def test_a_draft_discussion_cannot_be_cited_but_by_staff(client, staff):
    draft = DiscussionFactory(status=Discussion.Status.DRAFT)
    url = reverse("discussions:cite", args=[draft.slug, "bib"])

    assert client.get(url).status_code == 404
    client.force_login(staff)
    assert client.get(url).status_code == 200
