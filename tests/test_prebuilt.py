"""The prebuilt library (engine/prebuilt): current, used when it matches, ignored when it
does not, and never different in what it finds from the library compiled from source."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from engine import api
from engine.diagnostics import DiagnosticError, Span
from engine.evidence.schemas import load_schema_set
from engine.lang.limits import RuleLimits
from engine.lang.values import CalendarPeriod
from engine.library import RuleSource, build_rule_set, builtin_sources, section_types, user_sources
from engine.prebuilt import support
from engine.prebuilt.rules import load_prebuilt
from engine.prebuilt.encode import constant
from engine.prebuilt.writer import (CAREFUL_TARGET, RULES_TARGET, SYNTAX_TARGET, VALIDATORS_TARGET, rules_texts,
                                    validators_text)
from engine.reporters import RenderOptions, renderer

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BUNDLES = ["example", "broken-leadership", "broken-changes", "broken-incidents", "broken-improvement"]


@pytest.fixture(scope="module")
def from_source():
    return build_rule_set(builtin_sources(), section_types(load_schema_set()))


@pytest.mark.parametrize("target, text", [(RULES_TARGET, lambda: rules_texts()[0]), (CAREFUL_TARGET, lambda: rules_texts()[1]),
                                          (SYNTAX_TARGET, lambda: rules_texts()[2]),
                                          (VALIDATORS_TARGET, validators_text)])
def test_the_committed_modules_are_what_the_writer_writes_now(target: Path, text) -> None:
    assert target.read_text(encoding="utf-8") == text(), f"{target.name} is stale: run `python -m engine.prebuilt`"


def test_the_library_loads_prebuilt_when_nothing_changed(from_source) -> None:
    rules = api.load_rules()
    assert rules.compiled[0].run.__code__.co_filename.endswith("rule_library.py")
    assert rules.rule_ids() == from_source.rule_ids() and len(rules.rule_ids()) > 300
    assert rules.catalogue == from_source.catalogue  # carried in the module, read from catalogue.yaml


@pytest.mark.parametrize("bundle", BUNDLES)
def test_prebuilt_and_compiled_from_source_report_the_same(bundle: str, from_source) -> None:
    evidence = api.load_bundle(FIXTURES / bundle)
    as_of = dt.date(2025, 6, 30)
    render = renderer("json")
    prebuilt = render(api.check(evidence, api.load_rules(), as_of=as_of), RenderOptions())
    compiled = render(api.check(evidence, from_source, as_of=as_of), RenderOptions())
    assert prebuilt == compiled
    if bundle != "example":  # the broken ones explain their findings from lazily built trees
        assert any(f.get("decided_by") for f in json.loads(prebuilt)["findings"])


def test_a_changed_rule_file_makes_the_library_compile_from_source() -> None:
    sources = builtin_sources()
    changed = [RuleSource(sources[0].display, sources[0].text + "\n", sources[0].path)] + sources[1:]
    assert load_prebuilt(sources, load_schema_set()) is not None
    assert load_prebuilt(changed, load_schema_set()) is None
    assert load_prebuilt(sources + [RuleSource("extra.rules", "")], load_schema_set()) is None


def test_lowered_limits_make_the_library_compile_from_source() -> None:
    assert load_prebuilt(builtin_sources(), load_schema_set(), RuleLimits(max_expression_depth=10)) is None
    assert load_prebuilt(builtin_sources(), load_schema_set(), RuleLimits(max_steps=10)) is not None


def test_prebuilt_rule_code_sees_only_the_compilers_restricted_builtins() -> None:
    run = api.load_rules().compiled[0].run
    assert "len" in run.__builtins__ and "open" not in run.__builtins__ and "__import__" not in run.__builtins__


def test_generated_rule_code_never_meets_a_name_it_lacks() -> None:
    # The fast path leaves for the careful one on any exception, so a name missing from the
    # restricted builtins would only make every item slow, never give a wrong answer: watch
    # the exceptions raised inside the generated code instead.
    import sys

    generated = {str(RULES_TARGET), str(CAREFUL_TARGET)}
    defects: list[str] = []

    def watch(frame, event, arg):
        if frame.f_code.co_filename not in generated:
            return None
        if event == "exception" and issubclass(arg[0], (NameError, AttributeError)):
            defects.append(f"{frame.f_code.co_name}: {arg[1]!r}")
        return watch

    rules = api.load_rules()
    for name in BUNDLES:
        bundle = api.load_bundle(FIXTURES / name)
        sys.settrace(watch)
        try:
            api.check(bundle, rules, as_of=dt.date(2025, 6, 30), validate_first=False)
        finally:
            sys.settrace(None)
    assert not defects, sorted(set(defects))[:5]


def test_a_check_of_the_example_loads_no_compiler_parser_or_dataclasses(tmp_path: Path) -> None:
    """What start-up is kept free of: the rule compiler and parser, Lark, RE2, the careful
    and syntax modules, and the dataclasses module (whose import pulls in `inspect`)."""
    import subprocess
    import sys

    script = ("import json, sys; from engine.cli import main; code = main(['check', sys.argv[1], '--output', "
              "sys.argv[2]]); print(json.dumps([code, sorted(sys.modules)]))")
    out = subprocess.run([sys.executable, "-c", script, str(FIXTURES / "example"), str(tmp_path / "report.txt")],
                         capture_output=True, text=True, check=True, cwd=FIXTURES.parent).stdout
    code, modules = json.loads(out)
    assert code == 0 and (tmp_path / "report.txt").exists()
    unwanted = {"dataclasses", "inspect", "lark", "re2", "engine.lang.compiler", "engine.lang.parser",
                "engine.lang.checker", "engine.lang.ast", "engine.prebuilt.rule_careful", "engine.prebuilt.rule_syntax"}
    assert not unwanted & set(modules), sorted(unwanted & set(modules))


def test_the_careful_code_is_loaded_only_when_a_rule_needs_it(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "meta.yaml").write_text((FIXTURES / "example" / "meta.yaml").read_text(encoding="utf-8"))
    script = ("import sys, engine; engine.check(engine.load_bundle(sys.argv[1]), engine.load_rules()); "
              "print(sorted(m for m in sys.modules if m.startswith('engine.prebuilt.rule_')))")

    def loaded(bundle: Path) -> str:
        return subprocess.run([sys.executable, "-c", script, str(bundle)], capture_output=True, text=True,
                              check=True, cwd=FIXTURES.parent).stdout.strip()

    # A bundle with only its meta section: every rule's fast part answers (missing
    # sections leave it at once), so the careful part is loaded for the findings.
    assert "engine.prebuilt.rule_careful" in loaded(tmp_path)
    # The example passes every rule, each item on the fast path: a rule that sends items of
    # clean evidence to the careful path shows here (and costs every check of it).
    assert loaded(FIXTURES / "example") == "['engine.prebuilt.rule_library']"
    # A rule whose items all pass plainly never needs its careful part.
    rules = api.load_rules()
    bundle = api.load_bundle(FIXTURES / "example")
    api.check(bundle, rules)
    plain = [c for c in rules.compiled if c.header.id == "INC-8.6.1-07"][0]
    (once,) = [cell.cell_contents for cell in plain.run.__closure__ if type(cell.cell_contents).__name__ == "Once"]
    assert once._value is None


def test_explain_uses_the_checked_tree_of_a_prebuilt_library() -> None:
    from engine.explainer import explain

    bundle = api.load_bundle(FIXTURES / "broken-incidents")
    rules = api.load_rules()
    text = explain(rules.compiled[0].header.id, bundle, rules, dt.date(2025, 6, 30))
    assert rules.compiled[0].header.id in text.splitlines()[0]


@pytest.mark.parametrize("value", [
    None, True, 3, -2.5, "it's", Span("rules/a.rules", 3, 4, 3, 9), dt.timedelta(days=2, seconds=5),
    CalendarPeriod(12, dt.timedelta(days=1)), dt.date(2025, 3, 31),
    dt.datetime(2025, 3, 31, 12, 0, tzinfo=dt.timezone.utc), ["a", 1], ("x",), float("inf"),
    frozenset({"b", "a"}), {"k": [1, None]}, support.F("builtin:count"), support.P("^INC-[0-9]+$"),
])
def test_every_constant_kind_is_written_as_source_that_rebuilds_it(value) -> None:
    names = {name: getattr(support, name) for name in support.__all__}
    rebuilt = eval(constant(value), names)  # noqa: S307 - the writer's own output
    if hasattr(value, "pattern"):
        assert rebuilt.pattern == value.pattern
    else:
        assert rebuilt == value and type(rebuilt) is type(value)


def test_a_constant_of_another_kind_stops_the_writer() -> None:
    with pytest.raises(TypeError, match="cannot write"):
        constant(object())


def test_sections_validate_with_prebuilt_code_that_agrees_with_generated_code() -> None:
    from engine.evidence.bulk import References, generate_program

    schemas = load_schema_set()
    bundle = api.load_bundle(FIXTURES / "broken-changes")
    refs = References(bundle.data, False)
    checked = 0
    for section, node in schemas.root["properties"].items():
        if section not in bundle.data:
            continue
        base = schemas.node_base(node) or schemas.root_uri
        prebuilt = schemas.bulk.section_program(section, node, base)
        generated = generate_program(schemas, node, base).program(schemas)
        assert prebuilt.make(refs, [[] for _ in prebuilt.batches]).__code__.co_filename.endswith("schema_validators.py")
        value = bundle.data[section]
        broken = [{"unexpected": 1}, *value[1:]] if isinstance(value, list) and value else {"unexpected": 1}
        for evidence, valid in ((value, True), (broken, False)):
            for program in (prebuilt, generated):
                deferred = [[] for _ in program.batches]
                verdict = program.make(refs, deferred)(evidence) and all(
                    batch(values) for batch, values in zip(program.batches, deferred))
                assert verdict is valid, (section, program)
        checked += 1
    assert checked > 40


# -- user rules beside the prebuilt library --------------------------------------------------------

USER_RULES = '''
rule MY-01 "Every live service has an active owner"
  clause 8.2.3
  severity minor
  for each service in services where service.status == "live"
  expect active_person(service.owner)
  message "service {service.id} is owned by {service.owner}, who is not an active person"

rule MY-02 "Incidents name their service"
  clause 8.6.1
  severity observation
  for each incident in incidents
  expect lookup(services, incident.service) != null
'''


def _loaded_both_ways(tmp_path: Path, text: str):
    """(rules loaded as `clausegate check --rules` loads them, the same compiled from source):
    each a RuleSet, or the rendered diagnostics when they do not load."""
    (tmp_path / "mine.rules").write_text(text, encoding="utf-8")
    results = []
    for load in (lambda: api.load_rules([tmp_path]),
                 lambda: build_rule_set(builtin_sources() + user_sources([tmp_path]), section_types(load_schema_set()))):
        try:
            results.append(load())
        except DiagnosticError as error:
            results.append("\n".join(d.render() for d in error.diagnostics))
    return results


def test_user_rules_check_against_the_prebuilt_library_and_report_as_from_source(tmp_path: Path) -> None:
    text = USER_RULES.replace("{service.owner}, who", "{service.owner} who")
    incremental, full = _loaded_both_ways(tmp_path, text)
    assert incremental.compiled[0].run.__code__.co_filename.endswith("rule_library.py")
    assert incremental.rule_ids() == full.rule_ids() and incremental.rule_ids()[-2:] == ["MY-01", "MY-02"]
    render = renderer("json")
    for bundle in ("example", "broken-leadership"):
        evidence = api.load_bundle(FIXTURES / bundle)
        reports = [render(api.check(evidence, rules, as_of=dt.date(2025, 6, 30)), RenderOptions())
                   for rules in (incremental, full)]
        assert reports[0] == reports[1]


@pytest.mark.parametrize("text, code", [
    (USER_RULES.replace("MY-02", "LEAD-5.1-01"), "CG201"),  # an id the library uses
    (USER_RULES + "\nhelper top_manager(id) = true\n", "CG212"),  # a helper the library defines
    (USER_RULES.replace("active_person(service.owner)", "active_person(service.owner, 1)"), "CG208"),
    (USER_RULES.replace("service.status ==", "service.state =="), "CG206"),
])
def test_user_rules_get_the_diagnostics_they_get_beside_the_library_compiled_from_source(
        tmp_path: Path, text: str, code: str) -> None:
    incremental, full = _loaded_both_ways(tmp_path, text)
    assert isinstance(incremental, str) and f"[{code}]" in incremental
    assert incremental == full


def test_a_generated_module_that_no_longer_imports_is_passed_over(tmp_path: Path, monkeypatch) -> None:
    from engine.prebuilt import rules, validators

    (tmp_path / "older_prebuilt.py").write_text("raise TypeError('written by an older engine')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(rules, "GENERATED_MODULE", "older_prebuilt")
    monkeypatch.setattr(validators, "GENERATED_MODULE", "older_prebuilt")
    assert load_prebuilt(builtin_sources(), load_schema_set()) is None
    assert validators.prebuilt_programs(load_schema_set()) == {}


def test_syntax_trees_come_from_the_syntax_module_written_with_the_library(tmp_path: Path, monkeypatch) -> None:
    from engine.prebuilt import rules

    loaded = api.load_rules()
    assert loaded.compiled[0].rule.id == loaded.compiled[0].header.id  # built from rule_syntax.py on first use
    (tmp_path / "other_syntax.py").write_text("KEY = 'another'\nSYNTAX = ()\nHELPERS = ()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(rules, "SYNTAX_MODULE", "other_syntax")
    with pytest.raises(RuntimeError, match="run `python -m engine.prebuilt`"):
        _ = api.load_rules().compiled[1].rule
