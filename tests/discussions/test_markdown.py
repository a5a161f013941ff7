import pytest

from core.markdown import find_mentions, render_markdown, sanitize_html, tex_to_mathml
from tests.html_safety import unsafe_parts


def test_the_safety_checker_itself_catches_unsafe_html():
    assert unsafe_parts('<img src="x" onerror="alert(1)">') == [
        "tag <img>",
        "attribute src on <img>",
        "attribute onerror on <img>",
    ]
    assert unsafe_parts('<a href="javascript:alert(1)">x</a>') == ["link scheme javascript:"]
    assert unsafe_parts('<p><a href="https://x.org" rel="nofollow">x</a></p>') == []


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
        '<img src=x onerror="alert(1)">',
        "<svg onload=alert(1)>",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](  javascript:alert(1))",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "<a href='javascript:alert(1)'>x</a>",
        "![img](https://example.org/track.png)",
        "<style>body{display:none}</style>",
        '<form action="https://evil.example"><input name=x></form>',
        "<!-- comment --><b onmouseover=alert(1)>x</b>",
        '[x](https://example.org "title" onclick=alert(1))',
    ],
)
def test_hostile_markdown_renders_harmless(source):
    assert unsafe_parts(render_markdown(source)) == []


def test_raw_html_is_shown_as_text_not_markup():
    html = render_markdown("<b>bold?</b>")
    assert "&lt;b&gt;bold?&lt;/b&gt;" in html


def test_headings_are_demoted_below_the_page_headings():
    assert render_markdown("# Big\n\n###### Small").startswith("<h3>Big</h3>")
    assert "<h6>Small</h6>" in render_markdown("# Big\n\n###### Small")
    assert render_markdown("# Big", heading_level=4) == "<h4>Big</h4>\n"


def test_common_markdown_survives():
    html = render_markdown(
        "**b** *i* ~~s~~ `c`\n\n> q\n\n1. one\n2. two\n\n```\ncode\n```\n\n| a |\n|---|\n| 1 |"
    )
    for fragment in (
        "<strong>b</strong>",
        "<em>i</em>",
        "<s>s</s>",
        "<code>c</code>",
        "<blockquote>",
        "<ol>",
        "<pre><code>code",
        "<table>",
    ):
        assert fragment in html


def test_bare_urls_become_safe_links():
    html = render_markdown("see https://doi.org/10.1186/s12913-020-05145-1 please")
    assert (
        '<a href="https://doi.org/10.1186/s12913-020-05145-1" rel="nofollow ugc noopener">' in html
    )


def test_the_safety_checker_sees_through_encoded_schemes_and_stray_classes():
    assert unsafe_parts('<a href="&#x6A;ava&#115;cript&colon;alert(1)">x</a>') == [
        "link scheme javascript:"
    ]
    assert unsafe_parts('<a href=" java\tscript:alert(1)">x</a>') == ["link scheme javascript:"]
    assert unsafe_parts('<a href="//example.org/x">x</a>') == []  # relative: http(s) of the page
    assert unsafe_parts('<a class="mention evil">x</a><p class="mention">y</p>') == [
        "class evil on <a>",
        "attribute class on <p>",
    ]
    assert unsafe_parts('<math><mrow href="https://x.org" style="x">y</mrow></math>') == [
        "attribute href on <mrow>",
        "attribute style on <mrow>",
    ]


# --- Maths -----------------------------------------------------------------------------------


def test_inline_maths_becomes_inline_mathml():
    html = render_markdown(r"Let $x^2 + \frac{a}{b}$ be small.")
    assert html.startswith('<p>Let <math display="inline">')
    assert "<msup><mi>x</mi><mn>2</mn></msup>" in html
    assert "<mfrac>" in html
    assert html.endswith("</math> be small.</p>\n")


@pytest.mark.parametrize(
    "source",
    ["$$\n\\sum_{i=1}^{n} i\n$$", "$$\\sum_{i=1}^{n} i$$", "So $$\\sum_{i=1}^{n} i$$ holds."],
)
def test_display_maths_becomes_block_mathml(source):
    html = render_markdown(source)
    assert '<math display="block">' in html
    assert "<munderover><mo>∑</mo>" in html


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        (r"Broken $\left( x$ here", r"$\left( x$"),
        ("$x^$", "$x^$"),
        ("$$\n\\begin{matrix} a\n$$", "$$\n\\begin{matrix} a\n$$"),
        ("$" + "{" * 3000 + "x" + "}" * 3000 + "$", "{{{{"),  # deeper than Python's stack
        (r"$\def\a{xx}\a\a$", r"$\def\a{xx}\a\a$"),  # macros could expand without limit
    ],
)
def test_invalid_tex_is_shown_as_code_instead_of_failing(source, shown):
    html = render_markdown(source)
    assert '<code class="math-error">' in html
    assert shown in html
    assert "<math" not in html


def test_tex_in_text_commands_cannot_inject_markup():
    html = render_markdown(r"$\text{<img src=x onerror=alert(1)>} \mathrm{&lt;b&gt;}$")
    assert "<mtext>&lt;img&nbsp;src=x&nbsp;onerror=alert(1)&gt;</mtext>" in html
    assert unsafe_parts(html) == []


def test_tex_cannot_add_links_styles_classes_colours_or_sizes():
    html = render_markdown(
        r"$\href{javascript:alert(1)}{a} \style{position:fixed}{b} \class{x}{c}"
        r" \color{red}{d} \colorbox{red}{e} \Huge f$"
    )
    for word in ("href=", "style=", "class=", "color=", "background=", "mathsize=", "javascript"):
        assert word not in html
    assert "<mi>a</mi>" in html
    assert "<mi>f</mi>" in html


def test_tex_spacing_is_kept_only_when_modest():
    html = render_markdown(r"$a \quad b \hspace{-50em} c \hspace{1000cm} d \rule{1em}{2em} e$")
    assert '<mspace width="1em"></mspace>' in html  # \quad
    assert html.count("<mspace") == 4
    assert "-50em" not in html
    assert "1000cm" not in html
    assert '<mspace width="1em" height="2em"></mspace>' in html


@pytest.mark.parametrize(
    "tex",
    [
        r"\frac{1}{2} + \dfrac{a}{b} + \binom{n}{k}",
        r"\sqrt{x} + \sqrt[3]{y}",
        r"\sum_{i=1}^{n} i^2 = \prod_{k} x_k \int_0^\infty e^{-x}\,dx \lim_{x \to 0} f",
        r"\begin{pmatrix} 1 & 0 \\ 0 & 1 \end{pmatrix} \begin{bmatrix} a \end{bmatrix}",
        r"\alpha \beta \Gamma \Omega \varepsilon \infty \partial \nabla",
        r"\hat{x} \bar{y} \vec{v} \tilde{n} \dot{a} \overline{AB} \underline{x} \widehat{xy}",
        r"\text{if } x > 0 \textbf{ and } \mathbb{R} \mathcal{L} \mathbf{v} \mathrm{d}x",
        r"\left( \frac{a}{b} \right) \left\{ x \right. \Big| y \Big|",
        r"\begin{aligned} a &= b \\ c &= d \end{aligned}",
        r"f(x) = \begin{cases} 1 & x > 0 \\ 0 & \text{otherwise} \end{cases}",
        r"\begin{array}{|l|c|}\hline a & b \\ \hline \end{array}",
        r"\overbrace{a+b}^{n} \underbrace{c}_{m} \overset{!}{=} \underset{x}{\arg\min}",
        r"\boxed{x} \cancel{y} \phantom{z} \displaystyle \sum x \scriptstyle y",
        r"\hat\beta = (X^TX)^{-1}X^Ty,\ p < 0.05,\ a \le b \neq c \approx d",
    ],
)
def test_common_tex_survives_sanitising_whole(tex):
    """Every element and attribute latex2mathml writes for these is on the allow-list."""
    for source in (f"${tex}$", f"$$\n{tex}\n$$"):
        mathml = tex_to_mathml(tex, block=source.startswith("$$"))
        assert unsafe_parts(mathml) == []
        assert sanitize_html(mathml) == mathml.replace("\xa0", "&nbsp;")
        assert sanitize_html(mathml) in render_markdown(source)


@pytest.mark.parametrize(
    "source",
    [
        "It costs $5 and $10.",
        "between $5 and $10",
        "$5-$10 a head",
        "US$20,000 or $25,000 with $3.50 fees",
        "Price: $ 5 $",
    ],
)
def test_money_is_not_maths(source):
    html = render_markdown(source)
    assert "<math" not in html
    assert "math-error" not in html
    assert source in html


def test_escaped_dollars_are_not_maths():
    assert render_markdown(r"\$x\$") == "<p>$x$</p>\n"


def test_fenced_code_keeps_its_text_escaped_and_drops_the_language_class():
    html = render_markdown("```python\nif a < b and $x$:\n    print('<script>')\n```")
    assert html == ("<pre><code>if a &lt; b and $x$:\n    print('&lt;script&gt;')\n</code></pre>\n")


# --- Mentions --------------------------------------------------------------------------------

MEMBERS = {"bob", "priya_venkatesan", "ann-lee", "j.smith"}


class FakeResolver:
    """Knows the handles in MEMBERS, case-insensitively, and remembers every call."""

    def __init__(self):
        self.calls: list[set[str]] = []

    def __call__(self, handles: set[str]) -> dict[str, str]:
        self.calls.append(set(handles))
        return {h: f"/members/{h.lower()}/" for h in handles if h.lower() in MEMBERS}


def mention(handle: str, written: str | None = None) -> str:
    return (
        f'<a href="/members/{handle}/" class="mention" rel="nofollow ugc noopener">'
        f"@{written or handle}</a>"
    )


def test_mentions_of_members_become_profile_links():
    resolver = FakeResolver()
    html = render_markdown("Thanks @bob and @Ann-Lee, and @nobody.", mention_urls=resolver)
    assert html == (
        f"<p>Thanks {mention('bob')} and {mention('ann-lee', 'Ann-Lee')}, and @nobody.</p>\n"
    )
    assert resolver.calls == [{"bob", "Ann-Lee", "nobody"}]


def test_the_resolver_is_asked_once_for_every_candidate_in_the_text():
    resolver = FakeResolver()
    render_markdown(
        "# @bob\n\n> @ann-lee said\n\n- @j.smith\n\n| @x |\n|---|\n| @bob |", mention_urls=resolver
    )
    assert resolver.calls == [{"bob", "ann-lee", "j.smith", "x"}]


def test_the_resolver_is_not_called_without_candidates():
    resolver = FakeResolver()
    render_markdown("No one here, mail a@b.org", mention_urls=resolver)
    assert resolver.calls == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("@priya_venkatesan.", f"<p>{mention('priya_venkatesan')}.</p>\n"),
        (
            "(@bob), @bob: @bob!",
            f"<p>({mention('bob')}), {mention('bob')}: {mention('bob')}!</p>\n",
        ),
        ("@j.smith...", f"<p>{mention('j.smith')}...</p>\n"),
        ("*@bob*", f"<p><em>{mention('bob')}</em></p>\n"),
    ],
)
def test_punctuation_around_a_mention_stays_outside_the_link(source, expected):
    assert render_markdown(source, mention_urls=FakeResolver()) == expected


@pytest.mark.parametrize(
    "source",
    [
        "`@bob`",
        "```\n@bob\n```",
        "    @bob",
        "[@bob](https://example.org)",
        "<https://example.org/@bob>",
        "https://example.org/@bob",
        "write to bob@example.org",
        "write to first.last@example.org or a+b@example.org",
        r"\@bob",
        r"a\_@bob",
        "$@bob$",
        "@bob@mastodon.social",
    ],
)
def test_no_mention_inside_code_maths_links_or_addresses(source):
    resolver = FakeResolver()
    html = render_markdown(source, mention_urls=resolver)
    assert "mention" not in html
    assert resolver.calls == []
    assert find_mentions(source) == set()


def test_without_a_resolver_mentions_stay_text():
    assert render_markdown("Hi @bob") == "<p>Hi @bob</p>\n"


def test_a_resolver_cannot_slip_in_a_dangerous_link():
    html = render_markdown("@bob", mention_urls=lambda handles: {"bob": "javascript:alert(1)"})
    assert unsafe_parts(html) == []
    assert "javascript" not in html


def test_find_mentions_returns_candidates_outside_code_and_links():
    source = "@bob, @Priya_Venkatesan. `@code` [@link](https://x.org) a@b.org @ann-lee\n\n@bob"
    assert find_mentions(source) == {"bob", "Priya_Venkatesan", "ann-lee"}
