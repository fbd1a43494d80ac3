"""The Markdown summary for pull-request comments."""

from __future__ import annotations

import re

from engine.findings import Finding
from engine.reporters import RenderOptions, markdown


def render(report, threshold: str = "minor") -> str:
    return markdown.render(report, RenderOptions(threshold=threshold))


def test_heading_says_the_verdict_and_the_gate(synthetic) -> None:
    assert render(synthetic).startswith("## clausegate: FAILED (gate: minor)\n")
    assert render(synthetic, "never").startswith("## clausegate: PASSED (gate: never)\n")


def test_counts_table_per_outcome(synthetic) -> None:
    text = render(synthetic)
    assert "| outcome | rules | findings |" in text
    assert "| fail | 2 | 4 |" in text  # HOST-1 and FAIL-1 fail; ERR-1's fail finding counts too
    assert "| missing | 1 | 2 |" in text and "| error | 1 | 1 |" in text
    assert "| not applicable | 1 | 1 |" in text and "| pass | 1 | 0 |" in text


def test_failing_clauses_list_their_rules(broken_report) -> None:
    text = render(broken_report)
    section = text.split("### Failing clauses\n", 1)[1].split("###", 1)[0]
    numbers = re.findall(r"^- \*\*([0-9.]+)\*\* ", section, re.M)
    assert numbers == sorted(set(numbers), key=lambda n: tuple(map(int, n.split("."))))
    failing = [r for r in broken_report.rules if r.outcome in ("fail", "missing", "error")]
    assert set(numbers) == {c.number for r in failing for c in r.clauses}  # every failing clause named
    listed = re.findall(r"^  - `([^`]+)`", section, re.M)
    assert listed and set(listed) <= {r.rule_id for r in failing} and len(listed) <= markdown.RULE_LINES
    assert "**5.1** Leadership and commitment" in section
    assert "`LEAD-5.1-01`" in section  # major, so listed before the cut


def test_top_findings_are_at_most_twenty_most_severe_first(synthetic) -> None:
    base = next(f for f in synthetic.findings if f.rule_id == "HOST-1")
    for i in range(30):  # many minor findings after the few major ones
        synthetic.findings.append(Finding("HOST-1", "t", base.clauses, "minor", "fail", f"extra {i}",
                                          pointer=f"/extra/{i}"))
    text = render(synthetic)
    assert "### Top findings (20 of 37)" in text
    items = re.findall(r"^\d+\. \*\*(\w+)\*\* (\w+) `([^`]+)`", text, re.M)
    assert len(items) == 20
    assert items[:3] == [("major", "fail", "FAIL-1"), ("major", "fail", "FAIL-1"), ("major", "missing", "FAIL-1")]
    ranks = ["major", "minor", "observation", "improvement"]
    assert [ranks.index(s) for s, _, _ in items] == sorted(ranks.index(s) for s, _, _ in items)
    assert "`/incidents/0`" in text  # the pointer is shown
    assert "All results: `clausegate check bundle --as-of 2025-06-30 --format text`" in text


def test_untrusted_text_cannot_add_markup(synthetic) -> None:
    text = render(synthetic)
    assert "<script>" not in text and "[link](" not in text
    assert "\\<script\\>" in text and "\\[link\\]\\(http" in text
    assert "@someone" not in text  # no mention: a word joiner follows the @
    assert "\x07" not in text
    assert "\n\n\n" not in text


def test_code_spans_survive_backticks() -> None:
    assert markdown.code("a`b") == "``a`b``"
    assert markdown.code("`x") == "`` `x ``"


def test_footer_records_provenance(synthetic) -> None:
    text = render(synthetic)
    footer = next(line for line in text.splitlines() if line.startswith("<sub>clausegate"))
    assert "clausegate 9.9.9" in footer and "as of 2025-06-30 (from --as-of)" in footer
    assert "d" * 64 in footer and "2 evidence files" in footer
    assert f"`bundle/incidents.yaml` sha256 `{'a' * 64}`" in text


def test_a_passing_report_has_no_failure_sections(example_report) -> None:
    text = render(example_report)
    if not any(r.outcome in ("fail", "missing", "error") for r in example_report.rules):
        assert "### Failing clauses" not in text and "### Findings" not in text


def test_long_reports_are_cut_to_stay_a_short_comment(synthetic) -> None:
    from engine.findings import ClauseRef, RuleResult

    for i in range(60):
        clause = ClauseRef(f"9.{i % 4 + 1}", f"Clause 9.{i % 4 + 1}")
        synthetic.rules.append(RuleResult(f"X-{i:02}", "x", [clause], "minor", [], {"fail": 1}))
    synthetic.findings[0].message = "long " * 200
    synthetic.evidence_files = [{"path": f"bundle/f{i}.yaml", "sha256": "e" * 64} for i in range(80)]
    text = render(synthetic)
    section = text.split("### Failing clauses\n", 1)[1].split("###", 1)[0]
    assert len(re.findall(r"^  - `", section, re.M)) == markdown.RULE_LINES
    assert "more failing rule(s), not listed here" in section
    assert re.search(r"^- \*\*9\.4\*\* Clause 9\.4$", section, re.M)  # still named
    assert max(len(line) for line in text.splitlines()) < 500
    assert "- and 30 more (the JSON report lists them all)" in text
    assert len(text) < 65536
