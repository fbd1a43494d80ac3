"""The command line: parse arguments, call the library, map outcomes to exit codes 0, 1 and 2."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import stat
import sys
from pathlib import Path
from typing import NoReturn, Sequence

EXIT_OK, EXIT_FAILED, EXIT_INPUT = 0, 1, 2
THRESHOLDS = ("major", "minor", "observation", "improvement", "never")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own exit code is 2 too; keep its one-line form
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, f"clausegate: error: {message}\n")


def _as_of(text: str) -> dt.date:
    if text == "today":
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD or 'today'): {text!r}") from None


def _jobs(text: str) -> int:
    try:
        jobs = int(text)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"not a number of processes (1 or more): {text!r}")
    return jobs


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="clausegate", description="Check an ISO/IEC 20000-1 evidence bundle against rules.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)

    check = commands.add_parser("check", help="validate a bundle and evaluate the rules against it")
    check.add_argument("bundle", help="an evidence bundle: a YAML/JSON file or a folder")
    check.add_argument("--rules", action="append", default=[], metavar="PATH",
                       help="a rule file or folder to load as well (repeatable)")
    check.add_argument("--no-builtin", action="store_true", help="leave out the built-in rule library")
    check.add_argument("--as-of", type=_as_of, metavar="DATE",
                       help="evaluation date (YYYY-MM-DD, or 'today'); default: the bundle's meta.as_of")
    from engine.reporters import FORMATS
    from engine.reporters.outputs import Ordered

    check.add_argument("--format", action=Ordered, choices=FORMATS,
                       help="report format (repeatable, paired in order with --output; default: text)")
    check.add_argument("--output", action=Ordered, metavar="FILE",
                       help="write the report of the matching --format here instead of standard output")
    check.add_argument("--fail-on", choices=THRESHOLDS, default="minor",
                       help="lowest severity whose failures make the exit code 1 (default: minor)")
    check.add_argument("--limit", action="append", default=[], metavar="NAME=N", type=_limit,
                       help="raise or lower a resource limit (see docs/security.md): max_rule_file_bytes, "
                            "max_rules, max_expression_depth, max_steps, max_file_bytes, max_depth, "
                            "max_string_length, max_bundle_bytes")
    check.add_argument("--allow-missing", action="store_true",
                       help="missing evidence does not fail the run (errors and failures still do)")
    check.add_argument("--waivers", metavar="FILE", help="a waiver file (YAML or JSON; docs/gating.md)")
    check.add_argument("--baseline", metavar="REPORT",
                       help="an earlier JSON report: only findings new since then fail the run")
    check.add_argument("--jobs", type=_jobs, default=2, metavar="N",
                       help="processes to use: with 2 (the default), on Linux with a processor to spare, a second "
                            "process parses the bundle's YAML files while the records are read, then validates "
                            "the bundle while the rules are evaluated; 1 keeps all work in one process. More "
                            "than 2 is taken as 2. The report is the same either way")

    validate = commands.add_parser("validate", help="validate a bundle against the evidence schema only")
    validate.add_argument("bundle")

    cover = commands.add_parser("coverage", help="the clause coverage matrix of the loaded rules")
    cover.add_argument("--rules", action="append", default=[], metavar="PATH",
                       help="a rule file or folder to load as well (repeatable)")
    cover.add_argument("--no-builtin", action="store_true", help="leave out the built-in rule library")
    cover.add_argument("--bundle", help="also show how the rules of each clause came out for this bundle")
    cover.add_argument("--as-of", type=_as_of, metavar="DATE", help="evaluation date for --bundle")
    cover.add_argument("--format", choices=("text", "json"), default="text")

    fmt = commands.add_parser("fmt", help="rewrite rule files in the canonical layout")
    fmt.add_argument("paths", nargs="+", metavar="PATH", help="rule files or folders")
    fmt.add_argument("--check", action="store_true", help="change nothing; exit 1 if a file would change")

    lint = commands.add_parser("lint", help="check rule files: errors, then style warnings")
    lint.add_argument("paths", nargs="*", metavar="PATH", help="rule files or folders (default: the built-in library)")
    lint.add_argument("--format", choices=("text", "json"), default="text")

    explain = commands.add_parser("explain", help="show the value of every part of a rule for one item")
    explain.add_argument("rule", help="the rule id")
    explain.add_argument("bundle")
    explain.add_argument("--item", metavar="POINTER", help="the item, e.g. /incidents/41 (default: the first "
                                                           "that did not pass)")
    explain.add_argument("--rules", action="append", default=[], metavar="PATH")
    explain.add_argument("--no-builtin", action="store_true")
    explain.add_argument("--as-of", type=_as_of, metavar="DATE")

    test = commands.add_parser("test", help="run rule test cases (default: the built-in library's)")
    test.add_argument("paths", nargs="*", metavar="PATH",
                      help="rule files or folders; their NAME.tests.yaml files are run")
    test.add_argument("--no-builtin", action="store_true", help="load only the rules at PATH")
    return parser


def run() -> NoReturn:
    """The console entry point: main() with the cyclic garbage collector paused, then a
    quick exit. A command builds and walks acyclic data (evidence, rules, findings) that
    the collector would only walk again and again, and the few cycles it makes are freed
    at exit (about 17 ms of the example's check). Freeing everything object by object at
    exit takes longer still (about 25 ms); by then every report is written and flushed, and
    clausegate needs no exit handlers. A usage error's SystemExit and a crash still end the
    usual way."""
    from engine.evidence.gc_pause import paused_gc

    with paused_gc():
        code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away (`| head`): nothing is left to say
        pass
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from engine.api import tool_version

        print(f"clausegate {tool_version()}")
        return EXIT_OK
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_INPUT
    from engine.diagnostics import DiagnosticError

    try:
        return _COMMANDS[args.command](args)
    except DiagnosticError as exc:
        if getattr(args, "format", None) in ("json", ["json"]):  # check's --format is a list
            import json

            document = {"diagnostics": [d.to_json() for d in exc.diagnostics]}
            print(json.dumps(document, indent=2, ensure_ascii=False), file=sys.stderr)
        else:
            print(exc.render(), file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        return 130


def _limit(text: str) -> tuple[str, int]:
    from engine.evidence.limits import Limits
    from engine.lang.limits import RuleLimits

    name, _, value = text.partition("=")
    known = set(RuleLimits._fields) | set(Limits._fields)
    if name not in known:
        raise argparse.ArgumentTypeError(f"unknown limit {name!r}; the limits are {', '.join(sorted(known))}")
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"a limit is a whole number of at least 1, got {value!r}")
    return name, int(value)


def _limits(pairs: list[tuple[str, int]]):
    """The rule limits and the evidence limits, with the --limit values put in."""
    from engine.evidence.limits import DEFAULT_LIMITS
    from engine.lang.limits import DEFAULT_RULE_LIMITS

    chosen = dict(pairs)
    rule_names = set(DEFAULT_RULE_LIMITS._fields)
    return (DEFAULT_RULE_LIMITS._replace(**{k: v for k, v in chosen.items() if k in rule_names}),
            DEFAULT_LIMITS._replace(**{k: v for k, v in chosen.items() if k not in rule_names}))


def _check(args) -> int:
    import engine
    from engine.reporters import RenderOptions, renderer

    from engine.reporters.outputs import PairingError, pair

    try:
        pairs = pair(getattr(args, "report_plan", None) or [])
    except PairingError as problem:
        print(f"clausegate: error: {problem}", file=sys.stderr)
        return EXIT_INPUT
    rule_limits, evidence_limits = _limits(args.limit)
    rules = engine.load_rules(args.rules, builtin=not args.no_builtin, limits=rule_limits)
    waivers, baseline = _gating_inputs(args, rules, evidence_limits)
    bundle = engine.load_bundle(args.bundle, evidence_limits, jobs=args.jobs)
    report = engine.check(bundle, rules, as_of=args.as_of, waivers=waivers, baseline=baseline,
                          allow_missing=args.allow_missing, max_steps=rule_limits.max_steps, jobs=args.jobs)
    texts = []  # render all before writing any, so a failure leaves no partial set behind
    for fmt, output in pairs:
        to_terminal = output is None and sys.stdout.isatty()
        options = RenderOptions(color=to_terminal and "NO_COLOR" not in os.environ, threshold=args.fail_on)
        texts.append((renderer(fmt)(report, options), output))
    for text, output in texts:
        _emit(text, output)
    return EXIT_FAILED if report.gate(args.fail_on) else EXIT_OK


def _gating_inputs(args, rules, limits):
    """The waiver file and the baseline report, read (and refused) before any evaluation."""
    waivers = baseline = None
    if args.waivers:
        from engine.waivers import load_waivers

        waivers = load_waivers(args.waivers, rules.rule_ids(), limits=limits)
    if args.baseline:
        from engine.baseline import load_baseline

        baseline = load_baseline(args.baseline, limits=limits)
    return waivers, baseline


def _validate(args) -> int:
    import engine
    from engine.diagnostics import DiagnosticError

    bundle = engine.load_bundle(args.bundle)
    problems = engine.validate(bundle)
    if problems:
        raise DiagnosticError(problems)
    print(f"{args.bundle}: valid ({len(bundle.documents)} file(s))")
    return EXIT_OK


def _test(args) -> int:
    import engine
    from engine.evidence.schemas import load_schema_set
    from engine.library import builtin_test_files
    from engine.ruletest import run_tests, tests_beside

    paths = [Path(p) for p in args.paths]
    rules = engine.load_rules(paths, builtin=not args.no_builtin)
    files = builtin_test_files() if not paths else [(p, str(p)) for p in tests_beside(paths)]
    results = run_tests(files, rules, load_schema_set())
    failed = [r for r in results if not r.passed]
    for result in failed:
        where = f"{result.span}: " if result.span else ""
        print(f"{where}FAIL {result.rule}: {result.name}\n{_indent(result.diff())}")
    print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    return EXIT_FAILED if failed or not results else EXIT_OK


def _fmt(args) -> int:
    from engine.formatter import format_rules
    from engine.library import user_sources

    changed = []
    for source in user_sources([Path(p) for p in args.paths]):
        formatted = format_rules(source.text, source.display)
        if formatted != source.text:
            changed.append(source.display)
            if not args.check:
                write_atomically(Path(source.display), formatted)
    verb = "would reformat" if args.check else "reformatted"
    for name in changed:
        print(f"{verb} {name}")
    return EXIT_FAILED if args.check and changed else EXIT_OK


def _lint(args) -> int:
    import json

    import engine
    from engine.library import builtin_sources, user_sources
    from engine.lint import lint

    paths = [Path(p) for p in args.paths]
    rules = engine.load_rules(paths)
    linted = user_sources(paths) if paths else builtin_sources()
    warnings = lint(rules, linted)
    if args.format == "json":
        sys.stdout.write(json.dumps({"diagnostics": [w.to_json() for w in warnings]}, indent=2) + "\n")
    else:
        for warning in warnings:
            print(warning.render())
        print(f"{len(linted)} file(s), {len(warnings)} warning(s)")
    return EXIT_FAILED if warnings else EXIT_OK


def _explain(args) -> int:
    import engine
    from engine.explainer import explain

    rules = engine.load_rules(args.rules, builtin=not args.no_builtin)
    bundle = engine.load_bundle(args.bundle)
    today, _source = engine.resolve_as_of(bundle, args.as_of)
    sys.stdout.write(explain(args.rule, bundle, rules, today, args.item))
    return EXIT_OK


def _coverage(args) -> int:
    import json

    import engine
    from engine.coverage import coverage, render_text, summary

    rules = engine.load_rules(args.rules, builtin=not args.no_builtin)
    report = None
    if args.bundle:
        report = engine.check(engine.load_bundle(args.bundle), rules, as_of=args.as_of)
    matrix = coverage(rules.catalogue, rules.rules, report)
    if args.format == "json":
        document = {"summary": summary(matrix), "clauses": [c.to_json() for c in matrix]}
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(render_text(matrix))
    return EXIT_OK


def _indent(text: str) -> str:
    return "\n".join("    " + line for line in text.splitlines())


def _emit(text: str, output: str | None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    write_atomically(Path(output), text)


def write_atomically(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder, so a reader never sees half a report.

    Through a symbolic link, the file it points to is replaced and the link kept. A device
    or a pipe (`--output /dev/stdout`, `/dev/null`) is written as it is: replacing it would
    put a regular file in its place."""
    from engine.diagnostics import Diagnostic, DiagnosticError

    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise DiagnosticError([Diagnostic("CG504", f"cannot write {path}: {exc.strerror}")]) from None
    try:
        if mode is not None and not stat.S_ISREG(mode):
            with open(path, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
        else:
            _replace(Path(os.path.realpath(path)) if mode is not None else path, text)
    except OSError as exc:
        raise DiagnosticError([Diagnostic("CG504", f"cannot write {path}: {exc.strerror}")]) from None


def _replace(path: Path, text: str) -> None:
    import tempfile

    folder = path.parent if str(path.parent) else Path(".")
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as a plainly created file would be, not mkstemp's 0600
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


_COMMANDS = {"check": _check, "validate": _validate, "test": _test, "coverage": _coverage,
             "explain": _explain, "lint": _lint, "fmt": _fmt}
