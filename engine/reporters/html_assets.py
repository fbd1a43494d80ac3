"""The inline style and script of the HTML report: kept apart from the markup code that uses them.

The script filters rules and findings by outcome and severity. Its state lives in the URL
fragment (`#outcome=fail,missing&severity=major`), so a filtered view can be linked or
bookmarked, and opened that way without interaction.
"""

STYLE = """
:root { --fail: #b42318; --missing: #b54708; --error: #7a2e9b; --pass: #067647; --na: #667085; --waived: #175cd3; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #101828; }
header.page, main, footer { max-width: 72rem; margin: 0 auto; padding: 0.75rem 1.25rem; }
h1 { font-size: 1.4rem; margin: 0.2rem 0; }
h2 { font-size: 1.15rem; margin: 1.2rem 0 0.3rem; border-bottom: 1px solid #d0d5dd; }
h3 { font-size: 1rem; margin: 0.8rem 0 0.3rem; }
code { font: 12.5px/1.4 ui-monospace, "SFMono-Regular", Menlo, monospace; background: #f2f4f7; padding: 0 0.2em; }
.verdict { font-weight: 700; font-size: 1.1rem; }
.verdict.failed { color: var(--fail); } .verdict.passed { color: var(--pass); }
table.counts { border-collapse: collapse; margin: 0.4rem 0; }
table.counts th, table.counts td { border: 1px solid #d0d5dd; padding: 0.15rem 0.6rem; text-align: right; }
form#filters { position: sticky; top: 0; background: #fff; border-bottom: 1px solid #d0d5dd; z-index: 1;
  display: flex; flex-wrap: wrap; gap: 0.5rem 1.5rem; padding: 0.5rem 1.25rem; }
fieldset { border: 0; margin: 0; padding: 0; } legend { font-weight: 600; float: left; margin-right: 0.5rem; }
label { margin-right: 0.6rem; white-space: nowrap; }
.tally { color: #475467; font-size: 0.9em; font-weight: 400; margin-left: 0.5rem; }
article.rule { border-left: 4px solid var(--na); padding: 0.3rem 0.7rem; margin: 0.4rem 0; background: #fcfcfd; }
article.rule[data-outcome="fail"] { border-color: var(--fail); }
article.rule[data-outcome="missing"] { border-color: var(--missing); }
article.rule[data-outcome="error"] { border-color: var(--error); }
article.rule[data-outcome="pass"] { border-color: var(--pass); }
article.rule[data-outcome="waived"] { border-color: var(--waived); }
.badge { display: inline-block; min-width: 4.2rem; text-align: center; font-weight: 700; font-size: 0.8em;
  color: #fff; border-radius: 3px; padding: 0 0.3rem; background: var(--na); }
.badge.fail { background: var(--fail); } .badge.missing { background: var(--missing); }
.badge.error { background: var(--error); } .badge.pass { background: var(--pass); }
.badge.waived { background: var(--waived); }
.severity { font-size: 0.85em; color: #475467; }
.why { color: #475467; margin: 0.2rem 0; }
ul.findings { margin: 0.3rem 0; padding-left: 1.2rem; }
li.finding { margin: 0.25rem 0; }
ul.decided { margin: 0.1rem 0; padding-left: 1.2rem; color: #344054; }
.empty { color: #667085; font-style: italic; }
footer { border-top: 1px solid #d0d5dd; color: #475467; font-size: 0.85em; }
footer table { border-collapse: collapse; } footer td { padding: 0 0.8rem 0 0; vertical-align: top; }
[hidden] { display: none !important; }
"""

SCRIPT = """
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var groups = ["outcome", "severity"];

  function boxes(group) {
    return Array.prototype.slice.call(form.querySelectorAll('input[name="' + group + '"]'));
  }

  function chosen(group) {
    var out = {};
    boxes(group).forEach(function (box) { if (box.checked) { out[box.value] = true; } });
    return out;
  }

  function everything() {
    return groups.every(function (g) { return boxes(g).every(function (box) { return box.checked; }); });
  }

  function apply() {
    var outcomes = chosen("outcome"), severities = chosen("severity"), shown = 0, total = 0;
    document.querySelectorAll("article.rule").forEach(function (rule) {
      var visible = !!(outcomes[rule.dataset.outcome] && severities[rule.dataset.severity]);
      rule.hidden = !visible;
      total += 1;
      if (visible) { shown += 1; }
      rule.querySelectorAll("li.finding").forEach(function (finding) {
        finding.hidden = !outcomes[finding.dataset.outcome];
      });
    });
    var all = everything();
    // A clause without rules is shown only in the unfiltered view, where it documents coverage.
    document.querySelectorAll("section.clause").forEach(function (section) {
      var rules = section.querySelectorAll("article.rule");
      var any = Array.prototype.some.call(rules, function (rule) { return !rule.hidden; });
      section.hidden = rules.length ? !any : !all;
    });
    document.getElementById("shown").textContent = "Showing " + shown + " of " + total + " rules.";
  }

  function readHash() {
    var wanted = {};
    window.location.hash.replace(/^#/, "").split("&").forEach(function (part) {
      var pair = part.split("=");
      if (pair.length === 2 && groups.indexOf(pair[0]) >= 0) {
        wanted[pair[0]] = decodeURIComponent(pair[1]).split(",");
      }
    });
    groups.forEach(function (group) {
      boxes(group).forEach(function (box) {
        box.checked = !wanted[group] || wanted[group].indexOf(box.value) >= 0;
      });
    });
  }

  function writeHash() {
    var parts = [];
    groups.forEach(function (group) {
      var values = Object.keys(chosen(group));
      if (values.length !== boxes(group).length) { parts.push(group + "=" + values.join(",")); }
    });
    var url = window.location.pathname + window.location.search + (parts.length ? "#" + parts.join("&") : "");
    try { window.history.replaceState(null, "", url); } catch (ignored) { /* some viewers forbid it */ }
  }

  form.addEventListener("change", function () { apply(); writeHash(); });
  form.addEventListener("reset", function () {
    window.setTimeout(function () { apply(); writeHash(); }, 0);  // after the boxes are reset
  });
  window.addEventListener("hashchange", function () { readHash(); apply(); });
  readHash();
  apply();
  document.documentElement.dataset.ready = "true";
})();
"""
