"""The HTML report's markup: self-contained, escaped, complete. The browser test drives its script."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from engine.catalogue import load_catalogue
from engine.reporters import RenderOptions, html
from reporter_helpers import HOSTILE

VOID = {"meta", "input", "br", "hr", "img", "link"}


class Outline(HTMLParser):
    """Checks that elements nest and close, and collects the attributes the tests look at."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def outline(text: str) -> Outline:
    parser = Outline()
    parser.feed(text)
    parser.close()
    assert parser.problems == [] and parser.stack == []
    return parser


def test_markup_is_well_nested(synthetic, broken_report) -> None:
    for report in (synthetic, broken_report):
        outline(html.render(report, RenderOptions()))


def test_self_contained_with_a_policy_that_forbids_loading_anything(synthetic) -> None:
    text = html.render(synthetic, RenderOptions())
    elements = outline(text).elements
    assert not [a for _, attrs in elements for a in attrs if a in ("src", "href", "srcset", "action")]
    assert not [t for t, _ in elements if t in ("link", "img", "iframe", "object", "embed")]
    assert "url(" not in text and "@import" not in text
    csp = next(a["content"] for t, a in elements if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert "default-src 'none'" in csp
    assert [t for t, _ in elements].count("script") == 1 and [t for t, _ in elements].count("style") == 1


def test_everything_from_the_report_is_escaped(synthetic) -> None:
    text = html.render(synthetic, RenderOptions())
    assert "<script>alert" not in text and "\x07" not in text
    assert html.e(HOSTILE.replace("\x07", "\ufffd")) in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; |" in text
    assert '<code>&quot;&lt;b&gt;&quot;</code>' in text  # a decided_by value


def test_clause_tree_from_4_to_10_with_every_rule_once(synthetic) -> None:
    text = html.render(synthetic, RenderOptions())
    elements = outline(text).elements
    tops = [a["data-clause"] for t, a in elements if t == "section" and "top" in (a.get("class") or "")]
    assert tops == ["4", "5", "6", "7", "8", "9", "10"]
    catalogue = load_catalogue()
    for number in tops:
        assert f"<h2>{number} {html.e(catalogue.title(number))}" in text
    rules = [(a["id"], a["data-outcome"], a["data-severity"]) for t, a in elements if t == "article"]
    assert sorted(rules) == sorted((f"rule-{r.rule_id}", r.outcome, r.severity) for r in synthetic.rules)
    assert "<h3>8.6.1 Incident management" in text
    assert "No rules check this clause yet." in text  # clause 6, say


def test_counts_per_clause(synthetic) -> None:
    text = html.render(synthetic, RenderOptions())
    assert re.search(r"<h2>4 [^<]*<span class=\"tally\">1 pass, 1 fail</span>", text)
    assert re.search(r"<h2>8 [^<]*<span class=\"tally\">1 fail, 1 missing</span>", text)


def test_findings_show_place_message_and_what_decided(synthetic) -> None:
    text = html.render(synthetic, RenderOptions())
    assert ("<code>/incidents/0</code> at <code>bundle/incidents.yaml:2:5</code>: "
            "incident INC-0 was not reviewed") in text
    assert "<li><code>incident.reviewed</code> = <code>false</code></li>" in text
    assert "<li><code>incident.review</code> = <code>absent at /incidents/0/review</code></li>" in text
    assert "rule at <code>rules/mine.rules:12:10</code>" in text
    findings = [a["data-outcome"] for t, a in outline(text).elements if t == "li" and a.get("class") == "finding"]
    assert sorted(findings) == sorted(f.outcome for f in synthetic.findings)


def test_filters_for_every_outcome_and_severity(synthetic) -> None:
    elements = outline(html.render(synthetic, RenderOptions())).elements
    boxes = [(a["name"], a["value"]) for t, a in elements if t == "input"]
    from engine.findings import OUTCOMES, SEVERITIES

    assert boxes == [("outcome", o) for o in OUTCOMES] + [("severity", s) for s in SEVERITIES]


def test_footer_records_provenance(synthetic) -> None:
    footer = html.render(synthetic, RenderOptions()).split("<footer>", 1)[1]
    for needed in ("clausegate 9.9.9", "2025-06-30 (from --as-of)", "d" * 64, "evidence bundle/incidents.yaml",
                   "a" * 64, "rule file rules/mine.rules"):
        assert needed in footer


def test_verdict(synthetic) -> None:
    assert 'class="verdict failed">FAILED (gate: minor)' in html.render(synthetic, RenderOptions())
    assert 'class="verdict passed">PASSED (gate: never)' in html.render(synthetic, RenderOptions(threshold="never"))
