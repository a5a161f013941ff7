"""
Demo content: two papers and four clubs. The first paper is discussed in a public club and
in a private one; the second, a French-language paper, in a public club whose default
language is French, with an English translation of the host's text and one reply in
English. Each discussion has a short threaded conversation.

The content is data (the constants below) and ``load_demo()`` writes it, idempotently, so
that ``manage.py load_demo`` can run on every ``make run``:

* the paper, journal and subjects are looked up by stable identifiers (DOI, title, name)
  and brought up to date with the record below; authors and abstract sections are
  replaced, so a re-run never duplicates them;
* demo members are looked up by username; a password is only set when asked for, so a
  re-run never locks out someone trying the site;
* the discussion is looked up by slug; its status and opening date are set only when it is
  created, so closing or re-opening it by hand survives a re-run;
* comments are added only while the discussion has none: conversation that already
  happened is never rewritten;
* everything it wrote is (re)indexed for search, in the same transaction, so the demo is
  searchable and its authors browsable at once.

The first paper's bibliographic record and abstract come from its DOAJ catalogue record.
The French paper's record comes from its page in the journal (canada.ca) and the journal's
open-access policy; its abstract is left out rather than copied or paraphrased, so that
nothing on its page passes for the authors' words that is not. The members, commentary,
questions and comments are invented for the demo.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from accounts.models import User
from articles.models import AbstractSection, Article, Author, Journal, Subject
from clubs.models import Club, Membership, Nomination, QuestionTemplate, Role, Vote
from core.identifiers import normalize_doi
from core.markdown import render_markdown
from discovery import index as search_index
from discussions.models import (
    Comment,
    Discussion,
    DiscussionTranslation,
    Pseudonym,
    Question,
    QuestionTranslation,
)
from discussions.services import COMMENT_LICENCE

# --- The paper ------------------------------------------------------------------------

JOURNAL = {
    "title": "BMC Health Services Research",
    "publisher": "BMC",
    "issn_electronic": "1472-6963",
    "slug": "bmc-health-services-research",
}

ARTICLE: dict[str, Any] = {
    "title": (
        "Implementation support practitioners – a proposal for consolidating a diverse "
        "evidence base"
    ),
    "slug": "albers-2020-implementation-support-practitioners",
    "doi": "10.1186/s12913-020-05145-1",
    "volume": "20",
    "article_number": "368",
    "published_on": datetime.date(2020, 5, 1),
    "published_precision": Article.DatePrecision.DAY,
    "url": "https://link.springer.com/article/10.1186/s12913-020-05145-1",
    "language": "en",
    "is_open_access": True,
    "licence": "CC BY 4.0",
    "licence_url": "https://creativecommons.org/licenses/by/4.0/",
}

# (given name, family name, affiliations), in byline order. ORCID iDs are left out: the
# catalogue record does not give them.
AUTHORS = [
    ("Bianca", "Albers", "European Implementation Collaborative"),
    ("Allison", "Metz", "University of North Carolina at Chapel Hill"),
    ("Katie", "Burke", "Centre for Effective Services"),
]

ABSTRACT = [
    (
        "Background",
        "Workforce development for implementation practice has been identified as a grand "
        "challenge in health services. This is due to the embryonic nature of the existing "
        "research in this area, few available training programs and a general shortage of "
        "frontline service staff trained and prepared for practicing implementation in the "
        "field. The interest in the role of “implementation support” as a way to effectively "
        "build the implementation capacities of the human service sector has therefore "
        "increased. However, while frequently used, little is known about the skills and "
        "competencies required to effectively provide such support.",
    ),
    (
        "Main body",
        "To progress the debate and the research agenda on implementation support "
        "competencies, we propose the role of the “implementation support practitioner” as a "
        "concept unifying the multiple streams of research focused on e.g. consultation, "
        "facilitation, or knowledge brokering. Implementation support practitioners are "
        "professionals supporting others in implementing evidence-informed practices, "
        "policies and programs, and in sustaining and scaling evidence for population impact. "
        "They are not involved in direct service delivery or management and work closely with "
        "the leadership and staff needed to effectively deliver direct clinical, therapeutic "
        "or educational services to individuals, families and communities. They may be "
        "specialists or generalists and be located within and/or outside the delivery system "
        "they serve. To effectively support the implementation practice of others, "
        "implementation support practitioners require an ability to activate "
        "implementation-relevant knowledge, skills and attitudes, and to operationalize and "
        "apply these in the context of their support activities. In doing so, they aim to "
        "trigger both relational and behavioral outcomes. This thinking is reflected in an "
        "overarching logic outlined in this article.",
    ),
    (
        "Conclusion",
        "The development of implementation support practitioners as a profession necessitates "
        "improved conceptual thinking about their role and work and how they enable the "
        "uptake and integration of evidence in real world settings. This article introduces a "
        "preliminary logic conceptualizing the role of implementation support practitioners "
        "informing research in progress aimed at increasing our knowledge about "
        "implementation support and the competencies needed to provide this support.",
    ),
]

SUBJECTS = ["Implementation support practitioner", "Implementation support", "Program logic"]

# --- The people (fictional) -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DemoMember:
    username: str
    display_name: str
    affiliation: str
    bio: str
    language: str = ""  # the site's language for them; blank: their browser's
    named: bool = False  # agreed to be named among the authors of published proceedings

    @property
    def email(self) -> str:
        return f"{self.username}@example.org"


HOST = DemoMember(
    username="demo-host",
    display_name="Maren Lindqvist",
    affiliation="Knowledge broker, Harbourside Health Research Network",
    bio=(
        "Hosts the club. Has spent twelve years between university research teams and "
        "community health services, mostly translating in both directions."
    ),
    named=True,
)

MEMBERS = [
    DemoMember(
        username="demo-priya",
        display_name="Priya Venkatesan",
        affiliation="Implementation specialist, Eastvale Child and Family Services",
        bio="Helps frontline teams adopt and keep evidence-based parenting programmes.",
        named=True,
    ),
    DemoMember(
        username="demo-tomas",
        display_name="Tomás Ferreira",
        affiliation="Research fellow in implementation science, Lakeshore University",
        bio="Studies facilitation in primary care; the researcher who keeps getting asked why.",
    ),
    DemoMember(
        username="demo-amara",
        display_name="Amara Osei-Bonsu",
        affiliation="Knowledge mobilisation lead, Northfield University research office",
        bio="Connects researchers with community partners and writes too many plain-language "
        "summaries.",
    ),
    DemoMember(
        username="demo-lena",
        display_name="Lena Brandt",
        affiliation="Practice facilitator, Westmere Community Mental Health",
        bio="Former occupational therapist, now coaching teams through service changes.",
    ),
    DemoMember(
        username="demo-jonah",
        display_name="Jonah Whitcombe",
        affiliation="Policy analyst, Riverbend Regional Health Authority",
        bio="Commissions implementation support and has to explain it to finance.",
    ),
]

# --- The discussion -------------------------------------------------------------------

DISCUSSION_SLUG = "implementation-support-practitioners"

COMMENTARY = """\
I started this paper expecting to disagree with it. Those of us who broker knowledge for a
living already answer to plenty of titles: knowledge broker, facilitator, KT specialist,
implementation coach, research impact officer. Albers, Metz and Burke suggest one more,
the **implementation support practitioner**, as an umbrella over all of them. Their case is
that research on these roles is scattered across fields that seldom read each other, and
that a shared name would let the evidence add up.

I am only half persuaded. A common vocabulary helps researchers find one another's work,
but a name coined in a journal only lives if the people doing the job take it up, and our
field is littered with frameworks that never left their authors' own teams. Tidying up the
terms we already use might do more good than adding a new one on top.

Two things made it worth the read all the same:

- **The reference list.** Some 98 sources on consultation, facilitation, brokering and
  technical assistance, gathered in one place. If a new colleague asks where to start
  reading, this is a good answer.
- **The organisation, not just the person.** The authors look past the individual
  practitioner to the organisations and systems they work in. That matches my experience:
  a skilled broker inside a team that is not ready to change will struggle, whatever their
  competencies.

Where I would push back is the closing call for more research on competencies. Competency
frameworks for knowledge translation and research impact work already exist. Is the gap
really in what we know, or in putting it to use?

Read the open-access paper, then tell us what you think under the questions below.
"""

QUESTIONS = [
    "If you work as a knowledge broker, or under one of its many cousins, would you now call "
    "yourself an “implementation support practitioner”? What would make you take up the "
    "term, or keep the title you have?",
    "Researchers like to close with “more research is needed”. From where you sit in "
    "practice, is more research what is missing, or should we put the evidence we already "
    "have to work?",
    "The paper asks for closer ties between implementation research and implementation "
    "practice. Is there an irony in research about implementation that is not itself "
    "implemented, and what would it take to close that gap?",
]

# The host's synthesis of the first question, written when its thread had settled.
SYNTHESES = {
    1: (
        "Nobody here would swap their title for the new one, and for the same reason: a "
        "title is what funders and managers have learnt to recognise. Where we agreed is "
        "that the paper's term works as a **search term and a description of the function** "
        "(supporting the people who do the implementing) rather than a job title.\n\n"
        "- Keep the title your organisation understands.\n"
        "- Borrow the paper's definition when you write job descriptions and contracts.\n"
        "- Use the term when you look for evidence about our work."
    ),
}


@dataclass(frozen=True, slots=True)
class DemoComment:
    key: str
    question: int  # the question's number; a reply must name its parent's question
    author: str  # a username from HOST or MEMBERS
    hours: int  # posted this many hours after the conversation starts
    body: str
    parent: str | None = None  # key of the comment this one replies to
    language: str = ""  # the language it is written in; blank: the discussion's
    pseudonym: str = ""  # posted under this pseudonym (the club allows them)


PAPER_LINK = "https://doi.org/10.1186/s12913-020-05145-1"

COMMENTS = [
    DemoComment(
        key="priya-title",
        question=1,
        author="demo-priya",
        hours=5,
        body=(
            "Short answer: **no**, at least not on my email signature. It took me three years "
            "to get our funders to understand what a “knowledge broker” does. Changing the "
            "label now would cost me that recognition for a gain that mostly shows up in "
            "literature searches."
        ),
    ),
    DemoComment(
        key="tomas-indexing",
        question=1,
        author="demo-tomas",
        parent="priya-title",
        hours=9,
        body=(
            "Speaking as the researcher in the room: I suspect the label is aimed at people "
            "like me more than at you. When I search for studies of facilitation I miss half "
            "of the brokering literature, and the other way round. A shared term would help "
            "in the *indexing* even if nobody ever prints it on a business card."
        ),
    ),
    DemoComment(
        key="amara-job-ads",
        question=1,
        author="demo-amara",
        parent="tomas-indexing",
        hours=26,
        body=(
            "That's a useful distinction: a term for the literature versus a title for the "
            "job. My worry is that indexing terms have a way of turning into job adverts. I "
            "have already seen one posting for an “implementation support practitioner” that "
            "described my role almost word for word, one pay grade lower."
        ),
    ),
    DemoComment(
        key="priya-recognition",
        question=1,
        author="demo-priya",
        parent="amara-job-ads",
        hours=31,
        body=(
            "Which is exactly my fear. If the title travels without the recognition, we end "
            "up explaining the role from scratch, again. I'd rather see the paper's "
            "definition used to *describe* what we do, whatever each of us is called."
        ),
    ),
    DemoComment(
        key="jonah-function",
        question=1,
        author="demo-jonah",
        hours=20,
        body=(
            "From the commissioning side, titles matter less than functions. When we fund "
            "implementation support we write the function into the contract, and the paper's "
            "definition reads like a decent job description. The person:\n"
            "\n"
            "- does not deliver the service,\n"
            "- does not manage it,\n"
            "- but works alongside the leaders and staff who do.\n"
            "\n"
            "I'd borrow that wording before I'd borrow the title."
        ),
    ),
    DemoComment(
        key="host-function",
        question=1,
        author="demo-host",
        parent="jonah-function",
        hours=23,
        body=(
            "Jonah, that's a helpful reading: the definition as a job description rather "
            "than a badge. It also answers Priya's worry in a way, since a function can be "
            "recognised whatever it is called."
        ),
    ),
    DemoComment(
        key="lena-time",
        question=2,
        author="demo-lena",
        hours=28,
        body=(
            "Both, but not in equal measure. What I lack is rarely evidence; it's time and "
            "permission. What would actually change my week:\n"
            "\n"
            "1. a plain-language synthesis of what is already known about facilitation;\n"
            "2. protected time for teams to try something and review it;\n"
            "3. managers who see implementation as part of the job, not an extra."
        ),
    ),
    DemoComment(
        key="tomas-synthesis",
        question=2,
        author="demo-tomas",
        parent="lena-time",
        hours=34,
        body=(
            "Guilty as charged on “more research is needed”. In my defence, I'd separate "
            "*new primary studies* from **synthesis**. On competencies I would happily trade "
            "the next round of surveys for a proper synthesis, and the "
            f"[paper's reference list]({PAPER_LINK}) is a ready-made starting point."
        ),
    ),
    DemoComment(
        key="amara-cowritten",
        question=2,
        author="demo-amara",
        parent="tomas-synthesis",
        hours=41,
        body=(
            "Synthesis, yes, and written *with* practitioners rather than for them. The "
            "plain-language summaries I produce get read far more when someone from a "
            "service has argued over the draft with me."
        ),
    ),
    DemoComment(
        key="amara-incentives",
        question=3,
        author="demo-amara",
        hours=50,
        body=(
            "Ironic, certainly, but not surprising. Implementation research is published in "
            "the same journals, for the same readers and under the same incentives as any "
            "other research. Nobody is paid to implement it, so mostly nobody does."
        ),
    ),
    DemoComment(
        key="lena-mixed-teams",
        question=3,
        author="demo-lena",
        parent="amara-incentives",
        hours=56,
        body=(
            "Which is an argument for **mixed teams**: researchers and practitioners writing "
            "together from the start. Those papers are the closest thing to implementation "
            "I have seen in this literature."
        ),
    ),
    DemoComment(
        key="host-next-session",
        question=3,
        author="demo-host",
        parent="lena-mixed-teams",
        hours=61,
        body=(
            "Agreed, and we can try it here. If you are a researcher reading along, bring a "
            "practitioner colleague to the next session, and the other way round."
        ),
    ),
    DemoComment(
        key="pseudonymous-frontline",
        question=2,
        author="demo-lena",
        pseudonym="Frontline Fern",
        hours=66,
        body=(
            "Posting under a pseudonym, as my manager reads this club. In our service the "
            "evidence is not what is missing: we have binders of it. What is missing is an "
            "hour a week in which anyone is allowed to read it. More research will not buy "
            "us that hour."
        ),
    ),
    DemoComment(
        key="jonah-budget",
        question=3,
        author="demo-jonah",
        hours=70,
        body=(
            "A policy footnote: we budget for implementing programmes, almost never for "
            "implementing what we learn about implementation. Until that line exists in a "
            "budget, the irony will stay."
        ),
    ),
]

# --- The clubs ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DemoClub:
    slug: str
    name: str
    tagline: str
    description: str
    visibility: str
    joining: str
    roles: dict[str, str]  # username -> role
    templates: tuple[str, ...] = ()
    language: str = "en"  # the club's default language for discussions and comments
    code_of_conduct: str = ""  # the club's own rules, in Markdown
    pseudonyms: bool = False  # members may post under a pseudonym


# The network's open club hosts the main discussion (its slug is the one a one-club site's
# discussions were given, so a site that ran the demo before keeps its addresses).
NETWORK_CLUB = DemoClub(
    slug="journal-club",
    name="Harbourside Knowledge Brokers",
    tagline="A public journal club for people who broker research into practice.",
    description=(
        "We read one paper a month about knowledge brokering and implementation support, "
        "discuss it here for a few weeks, and meet once to talk it through. Anyone may "
        "read; every confirmed member may answer."
    ),
    visibility=Club.Visibility.PUBLIC,
    joining=Club.Joining.OPEN,
    pseudonyms=True,
    roles={
        "demo-host": Role.LEAD,
        "demo-priya": Role.MEMBER,
        "demo-tomas": Role.MEMBER,
        "demo-amara": Role.MODERATOR,
        "demo-lena": Role.MEMBER,
        "demo-jonah": Role.MEMBER,
    },
    templates=(
        "What in this paper would change what you do on Monday morning?",
        "Who in your organisation should read this, and what would you tell them first?",
    ),
)

READING_GROUP = DemoClub(
    slug="lakeshore-implementation-science",
    name="Lakeshore Implementation Science Reading Group",
    tagline="Researchers and practitioners reading implementation science together.",
    description=(
        "A university reading group open to anyone who asks. Members nominate the papers; "
        "the most wanted one becomes the next discussion."
    ),
    visibility=Club.Visibility.PUBLIC,
    joining=Club.Joining.REQUEST,
    roles={"demo-tomas": Role.LEAD, "demo-amara": Role.HOST, "demo-lena": Role.MEMBER},
    templates=(
        "Which theory, model or framework does the paper use, and does it earn its place?",
        "What would a replication in your setting need?",
    ),
)

# A health authority's staff discuss what the paper means for their own services: not in
# public, so the club is private. demo-priya is a member (README, "Trying it locally").
STAFF_CLUB = DemoClub(
    slug="riverbend-staff",
    name="Riverbend Health Authority staff club",
    tagline="Our own services, discussed among colleagues.",
    description=(
        "For staff of the Riverbend Regional Health Authority and its partner services. "
        "We discuss how research applies to our own programmes, frankly, so this club is "
        "private: only its members can see it."
    ),
    visibility=Club.Visibility.PRIVATE,
    joining=Club.Joining.INVITATION,
    roles={"demo-jonah": Role.LEAD, "demo-priya": Role.HOST, "demo-lena": Role.MEMBER},
)

CLUBS = [NETWORK_CLUB, READING_GROUP, STAFF_CLUB]

STAFF_DISCUSSION_SLUG = "riverbend-implementation-support"

STAFF_COMMENTARY = """\
The network's club read this paper in public. Here we ask a narrower question: what would
it mean for **our** authority to fund implementation support as a role, rather than
something each programme lead does on top of their job?

Our last two programme roll-outs both stalled at the same point, when the training was over
and the teams were left on their own. The paper's description of people who support
implementation without delivering services themselves reads like the missing piece.
"""

STAFF_QUESTIONS = [
    "Which of our current programmes would have gone differently with a dedicated "
    "implementation support practitioner, and why?",
    "If we funded one such post next year, where in the organisation should it sit?",
]

STAFF_COMMENTS = [
    DemoComment(
        key="priya-rollout",
        question=1,
        author="demo-priya",
        hours=3,
        body=(
            "The parenting programme, without a doubt. Fidelity dropped within six months of "
            "the last training day, and nobody's job was to notice."
        ),
    ),
    DemoComment(
        key="lena-coaching",
        question=1,
        author="demo-lena",
        hours=9,
        parent="priya-rollout",
        body=(
            "Agreed. I coached two of those teams informally, in the evenings. A named role "
            "would have made that visible, and fundable."
        ),
    ),
    DemoComment(
        key="jonah-post",
        question=2,
        author="demo-jonah",
        hours=20,
        body=(
            "Outside any single programme, reporting to the quality team: otherwise the post "
            "becomes one more programme lead."
        ),
    ),
]

NOMINATION_REASON = (
    "The clearest statement of what implementation support practitioners do; a good "
    "first paper for the group."
)

# --- The French-language club and paper -----------------------------------------------
#
# A club whose default language is French discusses a French-language paper. Its host's
# text has an English translation, and one bilingual member answers in English, so the
# demo shows a discussion in one language read in another, and a thread in two.
#
# The paper's record was checked against its page in the journal: the French edition of
# the Canada Communicable Disease Report, a bilingual journal (the English version has its
# own DOI, 10.14745/ccdr.v47i03a06, and pages). The journal is open access and, since
# January 2019, publishes under CC BY 4.0. The issue gives only the month, hence the
# month's precision.

FR_JOURNAL = {
    "title": "Relevé des maladies transmissibles au Canada",
    "publisher": "Agence de la santé publique du Canada",
    "issn_electronic": "1719-3109",
    "slug": "releve-des-maladies-transmissibles-au-canada",
}

FR_ARTICLE: dict[str, Any] = {
    "title": "Courtage de connaissances sur les maladies infectieuses pour la santé publique",
    "slug": "haworth-brockman-2021-courtage-de-connaissances",
    "doi": "10.14745/ccdr.v47i03a06f",
    "volume": "47",
    "issue": "3",
    "pages": "175–180",
    "published_on": datetime.date(2021, 3, 1),
    "published_precision": Article.DatePrecision.MONTH,
    "url": (
        "https://www.canada.ca/fr/sante-publique/services/rapports-publications/"
        "releve-maladies-transmissibles-canada-rmtc/numero-mensuel/2021-47/"
        "numero-3-mars-2021/sante-publique-courtage-connaissances.html"
    ),
    "language": "fr",
    "is_open_access": True,
    "licence": "CC BY 4.0",
    "licence_url": "https://creativecommons.org/licenses/by/4.0/",
}

_NCCID = (
    "Centre de collaboration nationale des maladies infectieuses, Faculté des sciences de "
    "la santé Rady, Université du Manitoba, Winnipeg, MB"
)
_COMMUNITY_HEALTH = (
    "Département des sciences de la santé communautaire, Collège de médecine Max Rady, "
    "Université du Manitoba, Winnipeg, MB"
)
_MEDICINE = (
    "Départements de médecine interne et de microbiologie médicale, Collège de médecine "
    "Max Rady, Université du Manitoba, Winnipeg, MB"
)
FR_AUTHORS = [
    ("Margaret", "Haworth-Brockman", f"{_NCCID}\n{_COMMUNITY_HEALTH}"),
    ("Yoav", "Keynan", f"{_NCCID}\n{_COMMUNITY_HEALTH}\n{_MEDICINE}"),
]

# The article's own keywords.
FR_SUBJECTS = [
    "Santé publique",
    "Maladies infectieuses",
    "Courtage de connaissances",
    "Canada",
    "COVID-19",
]

FR_MEMBERS = [
    DemoMember(
        username="demo-genevieve",
        display_name="Geneviève Lapointe",
        affiliation="Courtière de connaissances, direction régionale de santé publique, Québec",
        bio=(
            "Anime le club. Fait depuis dix ans le lien entre des équipes de recherche "
            "universitaires et les intervenants de santé publique de sa région."
        ),
        language="fr",
    ),
    DemoMember(
        username="demo-mathieu",
        display_name="Mathieu Arsenault",
        affiliation=(
            "Agent de mobilisation des connaissances, réseau de santé francophone, "
            "Moncton (Nouveau-Brunswick)"
        ),
        bio=(
            "Travaille en français et en anglais, souvent dans la même réunion. A coordonné "
            "des synthèses rapides pendant la pandémie."
        ),
        language="fr",
    ),
    DemoMember(
        username="demo-aminata",
        display_name="Aminata Ndiaye",
        affiliation=(
            "Chargée de transfert de connaissances, programme de santé communautaire, Dakar"
        ),
        bio="Relie des équipes de recherche aux districts sanitaires et aux relais communautaires.",
        language="fr",
    ),
    DemoMember(
        username="demo-camille",
        display_name="Camille Girard",
        affiliation="Chargée de projets en promotion de la santé, Lyon",
        bio=(
            "Accompagne des associations et des collectivités dans leurs projets de "
            "prévention, en binôme avec une documentaliste."
        ),
        language="fr",
    ),
    DemoMember(
        username="demo-olivier",
        display_name="Olivier Delvaux",
        affiliation=(
            "Conseiller en transfert de connaissances, service de promotion de la santé, Liège"
        ),
        bio=(
            "Ancien éducateur de rue. Aide des équipes de terrain à se servir de la recherche, "
            "et à montrer à leurs bailleurs de fonds ce que cela change."
        ),
        language="fr",
    ),
]

FRENCH_CLUB = DemoClub(
    slug="courtiers-francophones",
    name="Réseau francophone des courtiers de connaissances",
    tagline=(
        "Un club de lecture public pour les courtières et courtiers de connaissances de la "
        "francophonie."
    ),
    description=(
        "Nous lisons ensemble, en français, des articles sur le courtage, le transfert et "
        "l'application des connaissances en santé et en services sociaux. Nos membres "
        "travaillent au Québec, en Acadie, en France, en Belgique, au Sénégal et ailleurs. "
        "Tout le monde peut lire ; tout membre confirmé peut répondre, en français ou dans "
        "la langue de son choix."
    ),
    visibility=Club.Visibility.PUBLIC,
    joining=Club.Joining.OPEN,
    roles={
        "demo-genevieve": Role.LEAD,
        "demo-mathieu": Role.HOST,
        "demo-aminata": Role.MODERATOR,
        "demo-camille": Role.MEMBER,
        "demo-olivier": Role.MEMBER,
        # Two members of the English-speaking network who read French follow along.
        "demo-amara": Role.MEMBER,
        "demo-jonah": Role.MEMBER,
    },
    templates=(
        "Qu'est-ce que cet article changerait dans votre pratique dès lundi matin ?",
        "À qui, dans votre organisation, feriez-vous lire cet article, et que lui diriez-vous "
        "d'abord ?",
    ),
    language="fr",
    code_of_conduct="""\
- **Parlez de votre pratique, pas de vos collègues.** Décrivez une situation sans nommer
  les personnes ni les organisations qui ne sont pas là pour répondre.
- **Distinguez les résultats des impressions.** Citez vos sources quand vous avancez un
  résultat de recherche, et dites-le quand il s'agit de votre expérience.
- **Écrivez dans la langue de votre choix.** Le club discute en français, mais une réponse
  en anglais ou dans une autre langue est la bienvenue : indiquez simplement sa langue.
- **Aucun vocabulaire n'est le bon.** On ne dit pas les choses de la même façon à Montréal,
  à Moncton, à Liège ou à Dakar ; demandez plutôt que de corriger.
- Les animatrices et animateurs peuvent masquer un commentaire qui ne respecte pas ces
  règles ; ils vous diront pourquoi.
""",
)

FR_DISCUSSION_SLUG = "courtage-connaissances-maladies-infectieuses"

FR_COMMENTARY = """\
Pourquoi lire un article sur les maladies infectieuses dans un club de courtiers ? Parce
que ce n'est pas vraiment un article sur les maladies infectieuses. Margaret
Haworth-Brockman et Yoav Keynan y décrivent le travail du Centre de collaboration
nationale des maladies infectieuses, l'un des six centres créés au Canada en 2005, après
le SRAS, pour rapprocher la recherche des pratiques de santé publique. Autrement dit : une
organisation entière dont le mandat est le courtage de connaissances.

Trois raisons d'en discuter ici :

- **Le courtage comme fonction d'une organisation.** Nous parlons souvent du courtier comme
  d'une personne. Ici, c'est une structure durable, financée, avec un mandat écrit.
  Qu'est-ce que cela change ?
- **L'épreuve de la pandémie.** Les auteurs racontent comment le centre a travaillé avec
  la santé publique pendant la COVID-19, quand les connaissances changeaient d'une semaine
  à l'autre. Beaucoup d'entre nous ont couru la même course.
- **Un texte dans les deux langues.** La revue est bilingue et l'article existe aussi en
  anglais : pour une fois, nous pouvons faire circuler le même texte dans toutes nos
  équipes.

Ma réserve : c'est le centre lui-même qui décrit ses méthodes et ses produits. C'est
précieux pour comprendre comment il s'organise, mais cela ne dit pas ce qui a changé dans
les pratiques grâce à lui. La question de l'évaluation revient dans chacun de nos
échanges ; profitons-en.

Lisez l'article, en libre accès, puis répondez sous les questions ci-dessous.
"""

FR_QUESTIONS = [
    "Le courtage est-il d'abord l'affaire d'une personne ou d'une organisation ? Dans votre "
    "milieu, qui porte ce rôle, et que perd-on quand cette personne s'en va ?",
    "Pendant la pandémie, les connaissances changeaient plus vite que nos documents. "
    "Qu'avez-vous appris sur le courtage en situation d'urgence, et qu'en gardez-vous "
    "aujourd'hui ?",
    "Comment montrer ce que le courtage change vraiment ? Quels indicateurs, quelles traces "
    "ou quels récits utilisez-vous pour rendre compte de votre travail à vos bailleurs de "
    "fonds ?",
]

FR_SYNTHESES = {
    1: (
        "Personne ici ne choisit entre la personne et l'organisation : le courtage repose "
        "sur des personnes, mais il ne dure que si l'organisation le reprend à son compte. "
        "Ce que nous retenons :\n\n"
        "- **Faire valider les routines** (calendrier des rencontres, listes de diffusion) "
        "par la direction, pour qu'elles survivent à un départ.\n"
        "- **Travailler à deux** sur chaque partenariat, pour que la relation ne tienne pas "
        "à une seule personne.\n"
        "- **Garder une trace partagée** des demandes, de ce qui a été transmis et de ce "
        "qui en a été fait."
    ),
}

# The host's text in English, beside the French original (DiscussionTranslation and
# QuestionTranslation), so that an English page shows it translated.
EN_COMMENTARY = """\
Why read a paper about infectious diseases in a club of knowledge brokers? Because it is
not really about infectious diseases. Margaret Haworth-Brockman and Yoav Keynan describe
the work of the National Collaborating Centre for Infectious Diseases, one of six centres
set up in Canada in 2005, after SARS, to bring research closer to public health practice.
In other words: a whole organisation whose mandate is knowledge brokering.

Three reasons to discuss it here:

- **Brokering as the function of an organisation.** We often talk about the broker as a
  person. Here it is a lasting, funded structure with a written mandate. What difference
  does that make?
- **The test of the pandemic.** The authors tell how the centre worked with public health
  during COVID-19, when knowledge changed from one week to the next. Many of us ran the
  same race.
- **One text in two languages.** The journal is bilingual and the paper also exists in
  English: for once, we can share the same text with all our teams.

My reservation: it is the centre itself that describes its methods and products. That is
valuable for understanding how it is organised, but it does not say what changed in
practice because of it. The question of evaluation comes up in every one of our
exchanges; let's make the most of it.

Read the open-access paper, then answer under the questions below.
"""

EN_QUESTIONS = [
    "Is brokering first a matter for a person or for an organisation? Where you work, who "
    "carries the role, and what is lost when that person leaves?",
    "During the pandemic, knowledge changed faster than our documents. What did you learn "
    "about brokering in an emergency, and what do you still keep from it?",
    "How can we show what brokering really changes? Which indicators, traces or stories "
    "do you use to account for your work to your funders?",
]

EN_SYNTHESES = {
    1: (
        "Nobody here chooses between the person and the organisation: brokering rests on "
        "people, but it only lasts if the organisation makes it its own. What we take "
        "away:\n\n"
        "- **Have the routines approved** (meeting calendar, mailing lists) by management, "
        "so that they survive a departure.\n"
        "- **Work in pairs** on each partnership, so that the relationship does not hang on "
        "one person.\n"
        "- **Keep a shared record** of requests, of what was passed on and of what was done "
        "with it."
    ),
}

FR_COMMENTS = [
    DemoComment(
        key="aminata-personne",
        question=1,
        author="demo-aminata",
        hours=4,
        body=(
            "Chez nous, c'est très clairement une personne. Quand notre chargée de liaison "
            "avec le district est partie un an en formation, les rencontres trimestrielles "
            "entre l'équipe de recherche et les infirmiers chefs de poste se sont arrêtées "
            "d'elles-mêmes. Personne n'avait décidé de les arrêter ; simplement, plus "
            "personne n'avait pour tâche de les convoquer. Un centre avec un mandat écrit, "
            "comme celui de l'article, survit au départ d'une personne. Cela me fait envie."
        ),
    ),
    DemoComment(
        key="olivier-routines",
        question=1,
        author="demo-olivier",
        parent="aminata-personne",
        hours=9,
        body=(
            "Un mandat écrit aide, mais je nuancerais. Notre service existe depuis quinze "
            "ans, il est reconnu et financé, et pourtant sa mémoire tient à deux ou trois "
            "personnes. Ce qui survit à un départ, ce sont les **routines** : un ordre du "
            "jour type, une liste de diffusion, un rendez-vous fixe dans le calendrier. La "
            "structure donne la légitimité ; les routines donnent la continuité."
        ),
    ),
    DemoComment(
        key="aminata-calendrier",
        question=1,
        author="demo-aminata",
        parent="olivier-routines",
        hours=26,
        body=(
            "« La structure donne la légitimité ; les routines donnent la continuité » : je "
            "la reprendrai en réunion d'équipe, celle-là. Nous devons justement refaire le "
            "calendrier des rencontres de district pour l'an prochain. Je vais le faire "
            "valider par la direction régionale plutôt que de le garder dans mon agenda."
        ),
    ),
    DemoComment(
        key="mathieu-in-english",
        question=1,
        author="demo-mathieu",
        parent="aminata-calendrier",
        hours=30,
        language="en",
        body=(
            "Switching to English for our colleagues from the Harbourside club who follow "
            "along: Aminata's move is worth copying. We had our knowledge-exchange calendar "
            "approved by management instead of keeping it in one person's diary, and it "
            "survived two reorganisations. It became the organisation's commitment rather "
            "than mine."
        ),
    ),
    DemoComment(
        key="camille-binome",
        question=1,
        author="demo-camille",
        hours=20,
        body=(
            "Dans mon réseau, on parle plus volontiers d'« accompagnement » que de courtage, "
            "et c'est rarement un poste à part entière : c'est une partie du temps d'une "
            "chargée de projets. Le risque, c'est que la fonction disparaisse de l'emploi du "
            "temps bien avant que la personne parte. Nous avons choisi de travailler **en "
            "binôme**, une chargée de projets et une documentaliste, pour que chaque "
            "partenaire connaisse deux personnes."
        ),
    ),
    DemoComment(
        key="genevieve-binome",
        question=1,
        author="demo-genevieve",
        parent="camille-binome",
        hours=23,
        body=(
            "Le binôme répond bien à la question d'Aminata : à deux, on est déjà une petite "
            "organisation. Camille, comment partagez-vous le suivi des partenaires ? Un "
            "outil commun, ou simplement l'habitude ?"
        ),
    ),
    DemoComment(
        key="camille-tableau",
        question=1,
        author="demo-camille",
        parent="genevieve-binome",
        hours=29,
        body=(
            "Un simple tableau partagé : pour chaque partenaire, la dernière demande, ce que "
            "nous avons envoyé, et ce qu'il en a fait quand nous le savons. La dernière "
            "colonne est le plus souvent vide, ce qui nous ramène à ta troisième question…"
        ),
    ),
    DemoComment(
        key="mathieu-peremption",
        question=2,
        author="demo-mathieu",
        hours=40,
        body=(
            "Pendant la pandémie, nous produisions des synthèses pour les équipes de santé "
            "publique francophones de la province, et le plus dur n'était pas de les "
            "écrire : c'était de les **retirer**. Une synthèse de mars était fausse en mai, "
            "mais elle circulait encore par courriel. Nous avons fini par imprimer une date "
            "de péremption en haut de chaque document. J'ai gardé l'habitude, même pour des "
            "sujets qui bougent lentement."
        ),
    ),
    DemoComment(
        key="olivier-canal",
        question=2,
        author="demo-olivier",
        parent="mathieu-peremption",
        hours=46,
        body=(
            "La date de péremption, excellente idée. Nous avions un numéro de version et un "
            "lien vers la version en vigueur, mais les gens téléchargeaient le PDF et le "
            "lien ne servait plus à rien. Ce que j'en retiens : le canal compte autant que "
            "le contenu. Un document qu'on ne peut plus mettre à jour une fois envoyé n'est "
            "pas fait pour une crise."
        ),
    ),
    DemoComment(
        key="aminata-radios",
        question=2,
        author="demo-aminata",
        hours=52,
        body=(
            "De notre côté, ce sont les relais communautaires qui nous ont le plus appris. "
            "Les messages écrits passaient mal ; des capsules audio en wolof et en pulaar, "
            "diffusées par les radios communautaires et relayées sur WhatsApp, passaient "
            "beaucoup mieux. En urgence, faire du courtage, c'est aussi choisir la langue et "
            "le canal des destinataires, et non ceux des producteurs."
        ),
    ),
    DemoComment(
        key="genevieve-langue",
        question=2,
        author="demo-genevieve",
        parent="aminata-radios",
        hours=55,
        body=(
            "Merci, Aminata : c'est la raison d'être de notre club, à une autre échelle. "
            "Travailler dans la langue de ceux qui utiliseront les connaissances. L'article "
            "existe en français et en anglais ; la plupart des données que nous faisons "
            "circuler, non."
        ),
    ),
    DemoComment(
        key="olivier-recits",
        question=3,
        author="demo-olivier",
        hours=60,
        body=(
            "Nos bailleurs nous demandent des chiffres : nombre d'ateliers, de participants, "
            "de téléchargements. Nous les donnons, mais ce qui convainc, ce sont les "
            "**récits de changement** : trois ou quatre situations par an, documentées avec "
            "les partenaires, où l'on suit le chemin d'une connaissance jusqu'à une décision. "
            "C'est long à écrire, mais c'est ce qu'on relit."
        ),
    ),
    DemoComment(
        key="camille-contribution",
        question=3,
        author="demo-camille",
        parent="olivier-recits",
        hours=66,
        body=(
            "D'accord, à condition de parler de *contribution* et non d'*attribution*. "
            "Quand une décision change, nous n'en sommes jamais la seule cause, et les "
            "partenaires le savent. Les récits qui sonnent juste disent ce que nous avons "
            "apporté, et ce qui venait d'ailleurs."
        ),
    ),
    DemoComment(
        key="mathieu-trois-mois",
        question=3,
        author="demo-mathieu",
        hours=72,
        body=(
            "Une piste modeste : trois mois après chaque demande d'appui, nous demandons "
            "« qu'avez-vous fait de ce que nous vous avons transmis ? », avec trois "
            "réponses possibles :\n"
            "\n"
            "1. rien pour l'instant ;\n"
            "2. cela a nourri la réflexion ;\n"
            "3. cela a changé une décision ou une pratique.\n"
            "\n"
            "Ce n'est pas scientifique, mais au bout d'un an on voit où portent nos efforts. "
            "Et cela remplit enfin la dernière colonne du tableau de Camille."
        ),
    ),
]

# --- Loading --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DemoSummary:
    """What ``load_demo()`` left in the database."""

    article: Article
    discussion: Discussion
    members: list[User]
    question_count: int
    comment_count: int
    comments_added: int
    clubs: list[Club]
    private_discussion: Discussion
    french_discussion: Discussion  # in the French-speaking club, with its translation
    paper_count: int


@transaction.atomic
def load_demo(*, password: str | None = None) -> DemoSummary:
    """
    Create or update the demo paper, members, discussion and conversation.

    ``password``, when given, becomes the password of every demo member (for trying the
    site locally); otherwise new members get an unusable password and existing ones keep
    theirs.
    """
    article = _load_article()
    members = {
        spec.username: _load_member(spec=spec, password=password)
        for spec in [HOST, *MEMBERS, *FR_MEMBERS]
    }
    clubs = {spec.slug: _load_club(spec=spec, members=members) for spec in [*CLUBS, FRENCH_CLUB]}
    discussion = _load_discussion(
        club=clubs[NETWORK_CLUB.slug], article=article, host=members[HOST.username]
    )
    comments_added = _load_comments(discussion=discussion, members=members)
    _index(article, discussion)
    staff_discussion = _load_discussion(
        club=clubs[STAFF_CLUB.slug],
        article=article,
        host=members["demo-priya"],
        slug=STAFF_DISCUSSION_SLUG,
        commentary=STAFF_COMMENTARY,
        questions=STAFF_QUESTIONS,
        syntheses={},
    )
    comments_added += _load_comments(
        discussion=staff_discussion, members=members, comments=STAFF_COMMENTS
    )
    _index(article, staff_discussion)
    _load_nomination(club=clubs[READING_GROUP.slug], article=article, members=members)

    french_article = _load_article(
        journal_record=FR_JOURNAL,
        record=FR_ARTICLE,
        authors=FR_AUTHORS,
        abstract=[],  # left out: see the module's docstring
        subjects=FR_SUBJECTS,
    )
    french_discussion = _load_discussion(
        club=clubs[FRENCH_CLUB.slug],
        article=french_article,
        host=members["demo-genevieve"],
        slug=FR_DISCUSSION_SLUG,
        commentary=FR_COMMENTARY,
        questions=FR_QUESTIONS,
        syntheses=FR_SYNTHESES,
    )
    _load_translation(
        discussion=french_discussion,
        language="en",
        commentary=EN_COMMENTARY,
        questions=EN_QUESTIONS,
        syntheses=EN_SYNTHESES,
    )
    comments_added += _load_comments(
        discussion=french_discussion, members=members, comments=FR_COMMENTS
    )
    _index(french_article, french_discussion)
    return DemoSummary(
        article=article,
        discussion=discussion,
        members=list(members.values()),
        question_count=discussion.questions.count(),
        comment_count=Comment.objects.for_discussion(discussion).count(),
        comments_added=comments_added,
        clubs=list(clubs.values()),
        private_discussion=staff_discussion,
        french_discussion=french_discussion,
        paper_count=len({article.pk, french_article.pk}),
    )


def _load_article(
    *,
    journal_record: dict[str, str] = JOURNAL,
    record: dict[str, Any] = ARTICLE,
    authors: list[tuple[str, str, str]] = AUTHORS,
    abstract: list[tuple[str, str]] = ABSTRACT,
    subjects: list[str] = SUBJECTS,
) -> Article:
    """The paper as recorded above, in its journal, with its authors, abstract and subjects."""
    title = journal_record["title"]
    journal_fields = {k: v for k, v in journal_record.items() if k != "title"}
    journal = Journal.objects.filter(title=title).first() or Journal(title=title)
    for field, value in journal_fields.items():
        # An existing journal keeps its slug: its address may already be linked to.
        if field != "slug" or not journal.slug:
            setattr(journal, field, value)
    journal.full_clean()
    journal.save()

    doi = normalize_doi(record["doi"])
    article = Article.objects.filter(doi__iexact=doi).first() or Article()
    for field, value in record.items():
        if field != "slug" or not article.slug:
            setattr(article, field, value)
    article.doi = doi
    article.journal = journal
    article.full_clean()
    article.save()

    article.authors.all().delete()
    for position, (given_name, family_name, affiliations) in enumerate(authors, start=1):
        author = Author(
            article=article,
            position=position,
            given_name=given_name,
            family_name=family_name,
            affiliations=affiliations,
        )
        author.full_clean()
        author.save()

    article.abstract_sections.all().delete()
    for position, (heading, body) in enumerate(abstract, start=1):
        section = AbstractSection(article=article, position=position, heading=heading, body=body)
        section.full_clean()
        section.save()

    article.subjects.set(
        Subject.objects.get_or_create(name=name, defaults={"slug": slugify(name)})[0]
        for name in subjects
    )
    return article


def _load_member(*, spec: DemoMember, password: str | None) -> User:
    user = User.objects.filter(username=spec.username).first() or User(username=spec.username)
    created = user.pk is None
    user.display_name = spec.display_name
    user.affiliation = spec.affiliation
    user.bio = spec.bio
    user.email = spec.email
    if created:
        # Like a password, the language and consents are the member's to change: a re-run
        # keeps theirs.
        user.language = spec.language
        user.named_in_proceedings = spec.named
    if password:
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    user.full_clean()
    user.save()

    # allauth signs members in by email and only trusts verified, primary addresses.
    address, _ = EmailAddress.objects.update_or_create(
        user=user, email=spec.email, defaults={"verified": True}
    )
    if not address.primary:
        address.set_as_primary()
    # A confirmed address makes a member; the host also has the host role.
    user.groups.add(Group.objects.get(name="Members"))
    if spec.username == HOST.username:
        user.groups.add(Group.objects.get(name="Hosts"))
    return user


def _load_club(*, spec: DemoClub, members: dict[str, User]) -> Club:
    """The club as described, its members with their roles, and its standard questions."""
    defaults = {
        "name": spec.name,
        "tagline": spec.tagline,
        "description": spec.description,
        "language": spec.language,
        "visibility": spec.visibility,
        "joining": spec.joining,
        "pseudonyms": spec.pseudonyms,
    }
    # A club without rules of its own in the demo keeps any a lead wrote since.
    if spec.code_of_conduct:
        defaults["code_of_conduct"] = spec.code_of_conduct
    club, _ = Club.objects.update_or_create(slug=spec.slug, defaults=defaults)
    for username, role in spec.roles.items():
        Membership.objects.update_or_create(
            club=club, member=members[username], defaults={"role": role}
        )
    if not club.question_templates.exists():
        QuestionTemplate.objects.bulk_create(
            QuestionTemplate(club=club, position=position, text=text)
            for position, text in enumerate(spec.templates, start=1)
        )
    return club


def _load_nomination(*, club: Club, article: Article, members: dict[str, User]) -> None:
    """A paper nominated in the reading group, with two votes (once: a re-run adds none)."""
    if club.nominations.exists():
        return
    nomination = Nomination.objects.create(
        club=club, article=article, nominated_by=members["demo-lena"], reason=NOMINATION_REASON
    )
    Vote.objects.bulk_create(
        Vote(nomination=nomination, member=members[username])
        for username in ("demo-lena", "demo-amara")
    )


def _load_discussion(
    *,
    club: Club,
    article: Article,
    host: User,
    slug: str = DISCUSSION_SLUG,
    commentary: str = COMMENTARY,
    questions: list[str] = QUESTIONS,
    syntheses: dict[int, str] = SYNTHESES,
) -> Discussion:
    """The discussion, written in its club's language, and its numbered questions."""
    fields = {
        "club": club,
        "article": article,
        "host": host,
        "commentary": commentary,
        "language": club.language,
    }
    discussion, _ = Discussion.objects.update_or_create(
        slug=slug,
        defaults=fields,
        create_defaults={
            **fields,
            "status": Discussion.Status.OPEN,
            "opens_at": _hour(timezone.now()) - datetime.timedelta(days=6),
        },
    )
    for number, text in enumerate(questions, start=1):
        synthesis = syntheses.get(number, "")
        Question.objects.update_or_create(
            discussion=discussion,
            number=number,
            defaults={
                "text": text,
                "synthesis": synthesis,
                "synthesis_by": host if synthesis else None,
                "is_answered": bool(synthesis),
            },
        )
    return discussion


def _load_translation(
    *,
    discussion: Discussion,
    language: str,
    commentary: str,
    questions: list[str],
    syntheses: dict[int, str],
) -> None:
    """The host's commentary, questions and syntheses in another language, beside them."""
    DiscussionTranslation.objects.update_or_create(
        discussion=discussion, language=language, defaults={"commentary": commentary}
    )
    by_number = {question.number: question for question in discussion.questions.all()}
    for number, text in enumerate(questions, start=1):
        QuestionTranslation.objects.update_or_create(
            question=by_number[number],
            language=language,
            defaults={"text": text, "synthesis": syntheses.get(number, "")},
        )


def _load_comments(
    *, discussion: Discussion, members: dict[str, User], comments: list = COMMENTS
) -> int:
    """Post the demo conversation unless the discussion already has comments."""
    if Comment.objects.for_discussion(discussion).exists():
        return 0

    now = timezone.now()
    span = datetime.timedelta(hours=max(spec.hours for spec in comments) + 1)
    # The conversation starts when the discussion opened, but never so late that its last
    # comment would lie in the future.
    start = min(discussion.opens_at or now, now - span)
    questions = {question.number: question for question in discussion.questions.all()}

    posted: dict[str, Comment] = {}
    for spec in sorted(comments, key=lambda spec: spec.hours):
        if spec.parent and spec.parent not in posted:
            raise ValueError(f"Demo comment {spec.key!r} is posted before its parent.")
        parent = posted[spec.parent] if spec.parent else None
        pseudonym = (
            Pseudonym.objects.get_or_create(
                discussion=discussion,
                member=members[spec.author],
                defaults={"name": spec.pseudonym},
            )[0]
            if spec.pseudonym
            else None
        )
        comment = Comment(
            question=questions[spec.question],
            parent=parent,
            root=(parent.root or parent) if parent else None,
            author=members[spec.author],
            pseudonym=pseudonym,
            # The demo's members agreed to the licence as every member does at posting.
            licence=COMMENT_LICENCE,
            body=spec.body,
            body_html=render_markdown(spec.body),
            language=spec.language or discussion.language,
            created_at=start + datetime.timedelta(hours=spec.hours),
        )
        if parent and parent.question_id != comment.question_id:
            raise ValueError(f"Demo comment {spec.key!r} answers a different question.")
        comment.full_clean()
        comment.save()
        posted[spec.key] = comment
    return len(posted)


def _index(article: Article, discussion: Discussion) -> None:
    """What the demo wrote, in the search index and on the author pages."""
    search_index.index_article(article)
    search_index.index_discussion(discussion)
    comments = Comment.objects.for_discussion(discussion).select_related("question__discussion")
    for comment in comments:
        search_index.index_comment(comment)


def _hour(moment: datetime.datetime) -> datetime.datetime:
    return moment.replace(minute=0, second=0, microsecond=0)
