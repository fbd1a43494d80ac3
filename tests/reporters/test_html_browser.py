"""The HTML report in a real headless chromium, driven over the DevTools protocol (cdp_pipe.py):
it loads without console errors or network requests, its filters hide rows, and it renders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cdp_pipe import Browser, find_chromium
from reporter_helpers import AS_OF, BROKEN, run_cli

RULES = "Array.from(document.querySelectorAll('article.rule'), r => [r.id.slice(5), r.dataset.outcome, r.hidden])"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    executable = find_chromium()
    if executable is None:
        pytest.skip("chromium not found: neither `chromium` on PATH nor /usr/bin/chromium")
    folder = tmp_path_factory.mktemp("html")
    report = folder / "report.html"
    result = run_cli("check", str(BROKEN), "--as-of", AS_OF, "--format", "html", "--output", str(report))
    assert result.returncode == 1, result.stderr  # the fixture fails on purpose
    expected = run_cli("check", str(BROKEN), "--as-of", AS_OF, "--format", "json")
    outcomes = {r["id"]: r["outcome"] for r in json.loads(expected.stdout)["rules"]}
    with Browser(executable, folder / "profile", folder / "chromium.log") as browser:
        browser.open_page(report.as_uri() + "#outcome=fail")
        assert browser.evaluate("document.documentElement.dataset.ready") == "true"
        yield browser, outcomes, folder


def test_loads_without_console_errors_or_network(page) -> None:
    browser, _, _ = page
    assert browser.problems() == []
    assert [u for u in browser.requested_urls() if not u.startswith("file:")] == []


def test_fragment_filter_shows_only_failing_rules(page) -> None:
    browser, outcomes, _ = page
    rows = browser.evaluate(RULES)
    assert {rule for rule, _, _ in rows} == set(outcomes)
    visible = {rule for rule, _, hidden in rows if not hidden}
    assert visible == {rule for rule, outcome in outcomes.items() if outcome == "fail"}
    assert visible and len(visible) < len(rows)  # something shown, something hidden
    assert all(outcome == "fail" for _, outcome, hidden in rows if not hidden)
    checked = browser.evaluate("Array.from(document.querySelectorAll('input:checked'), b => b.value)")
    assert checked == ["fail", "major", "minor", "observation", "improvement"]
    shown = browser.evaluate("document.getElementById('shown').textContent")
    assert shown == f"Showing {len(visible)} of {len(rows)} rules."


def test_clicking_a_severity_box_hides_more_and_reset_shows_all(page) -> None:
    browser, outcomes, _ = page
    browser.evaluate("document.querySelector('input[name=severity][value=minor]').click()")
    rows = browser.evaluate(RULES)
    severities = dict(browser.evaluate(
        "Array.from(document.querySelectorAll('article.rule'), r => [r.id.slice(5), r.dataset.severity])"))
    visible = {rule for rule, _, hidden in rows if not hidden}
    assert visible == {r for r, o in outcomes.items() if o == "fail" and severities[r] != "minor"}
    assert browser.evaluate("location.hash") == "#outcome=fail&severity=major,observation,improvement"
    hidden_sections = browser.evaluate("document.querySelectorAll('section.clause[hidden]').length")
    assert hidden_sections > 0  # clauses with nothing left to show fold away
    browser.evaluate("document.querySelector('button[type=reset]').click()")
    browser.evaluate("new Promise(done => setTimeout(done, 50))")
    assert all(not hidden for _, _, hidden in browser.evaluate(RULES))
    assert browser.evaluate("location.hash") == ""
    assert browser.problems() == []


def test_screenshot_is_a_png(page) -> None:
    import base64

    browser, _, folder = page
    # The viewport only: the whole page of a large library is beyond what chromium will capture.
    browser.send("Emulation.setDeviceMetricsOverride", {"width": 1280, "height": 1600, "deviceScaleFactor": 1,
                                                        "mobile": False})
    shot = browser.send("Page.captureScreenshot", {"format": "png"})
    path = folder / "report.png"
    path.write_bytes(base64.b64decode(shot["data"]))
    data = Path(path).read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 1000
