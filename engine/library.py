"""Finding rule files (the built-in library and the user's), and turning them into a rule set."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Callable, NamedTuple
from pathlib import Path

from engine import data
from engine.catalogue import Catalogue, load_catalogue
from engine.diagnostics import Diagnostic, DiagnosticError, Span
from engine.evidence.schemas import SchemaSet
from engine.lang import types as T
from engine.lang.compiled import CompiledRule
from engine.lang.limits import DEFAULT_RULE_LIMITS, RuleLimits
from engine.record import FrozenRecord

if TYPE_CHECKING:
    from engine.lang import ast
    from engine.lang.checker import CheckedRules

RULE_SUFFIX = ".rules"


class RuleSource(FrozenRecord):
    """The text of one rule file, and how it is named: `display` names it in messages and
    reports; `path` is the file on disk, when there is one."""

    __slots__ = ("display", "text", "path", "_sha256")
    _fields = ("display", "text", "path")

    def __init__(self, display: str, text: str, path: Path | None = None):
        put = object.__setattr__
        put(self, "display", display)
        put(self, "text", text)
        put(self, "path", path)
        put(self, "_sha256", None)

    @property
    def sha256(self) -> str:
        """Made once: the prebuilt library's key, the rule set's digest and the report ask for it."""
        if self._sha256 is None:
            object.__setattr__(self, "_sha256", hashlib.sha256(self.text.encode("utf-8")).hexdigest())
        return self._sha256


class RuleSet:
    def __init__(self, compiled: list[CompiledRule], sources: list[RuleSource], catalogue: Catalogue,
                 checked: CheckedRules | Callable[[], CheckedRules]):
        self.compiled = compiled
        self.sources = sources
        self.catalogue = catalogue
        self._checked = checked

    @property
    def checked(self) -> CheckedRules:
        """What the checker knows (types), to compile a rule again another way; a prebuilt
        library checks its sources only when this is first asked for."""
        if callable(self._checked):
            self._checked = self._checked()
        return self._checked

    @property
    def rules(self) -> list[ast.Rule]:
        return [c.rule for c in self.compiled]

    def rule_ids(self) -> list[str]:
        return [c.header.id for c in self.compiled]

    def digest(self) -> str:
        """One digest for the whole rule set, stable across machines and file order."""
        h = hashlib.sha256()
        for source in sorted(self.sources, key=lambda s: s.display):
            h.update(source.display.encode() + b"\0" + source.sha256.encode() + b"\n")
        return h.hexdigest()


def _builtin_files(suffix: str) -> list[tuple[object, str]]:
    """Files of the built-in library ending in `suffix`, with their names as shown to users."""
    found: list[tuple[object, str]] = []

    def walk(folder, prefix: str) -> None:
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.is_dir() and not entry.name.startswith(("_", ".")):
                walk(entry, f"{prefix}{entry.name}/")
            elif entry.name.endswith(suffix):
                found.append((entry, f"rules/{prefix}{entry.name}"))

    walk(data.folder("rules"), "")
    return found


def builtin_sources() -> list[RuleSource]:
    return [RuleSource(display, entry.read_text("utf-8"), Path(str(entry))) for entry, display
            in _builtin_files(RULE_SUFFIX)]


def builtin_test_files() -> list[tuple[Path, str]]:
    """The built-in library's rule tests (installed as ordinary files beside the rules)."""
    return [(Path(str(entry)), display) for entry, display in _builtin_files(".tests.yaml")]


def user_sources(paths: list[str | Path], limits: RuleLimits = DEFAULT_RULE_LIMITS) -> list[RuleSource]:
    """Rule files named on the command line: files, or folders searched for `*.rules`."""
    found: list[RuleSource] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob(f"*{RULE_SUFFIX}") if p.is_file())
            if not files:
                raise _input_error("CG501", f"no {RULE_SUFFIX} files in folder {raw}", str(raw))
        elif path.is_file():
            files = [path]
        else:
            raise _input_error("CG502", f"rule file not found: {raw}", str(raw))
        for file in files:
            if file.stat().st_size > limits.max_rule_file_bytes:
                raise _input_error("CG504", f"rule file is larger than {limits.max_rule_file_bytes:,} bytes "
                                   "(raise it with --limit max_rule_file_bytes=N)", str(file))
            found.append(RuleSource(str(file), _read_text(file), file))
    return found


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _input_error("CG503", f"rule file is not UTF-8 text (byte {exc.start})", str(path)) from None
    except OSError as exc:
        raise _input_error("CG502", f"cannot read rule file: {exc.strerror}", str(path)) from None


def _input_error(code: str, message: str, file: str) -> DiagnosticError:
    return DiagnosticError([Diagnostic(code, message, Span(file, 1, 1))])


def combine(builtin: list[RuleSource], user: list[RuleSource]) -> list[RuleSource]:
    """The built-in library and the user's files, each file once: naming a library file on
    the command line (as when working on the library) does not load it twice."""
    named = {s.path.resolve() for s in user if s.path is not None}
    return [s for s in builtin if s.path is None or s.path.resolve() not in named] + user


def section_types(schemas: SchemaSet) -> dict[str, T.Type]:
    """The bundle's top-level sections and their types, as rules see them."""
    root = T.from_schema(schemas.root, schemas.root.get("$id", ""), schemas.resolve)
    fields, _ = root.fields() if isinstance(root, T.ObjectType) else ({}, False)
    return fields


def build_rule_set(sources: list[RuleSource], sections: dict[str, T.Type], fast: bool = True,
                   limits: RuleLimits = DEFAULT_RULE_LIMITS) -> RuleSet:
    """Parse every file (reporting every file's syntax errors), check them together, compile."""
    from engine.lang.compiler import compile_rules  # not needed where the prebuilt library serves

    checked = check_sources(sources, sections, limits)
    return RuleSet(compile_rules(checked, fast), sources, load_catalogue(), checked)


class CheckedBefore(NamedTuple):
    """Rules checked earlier (a prebuilt library) that further files are checked against:
    their helpers, in files holding nothing else, and their rule ids."""

    helper_files: list[ast.RuleFile]
    rule_ids: dict[str, Span]


def check_sources(sources: list[RuleSource], sections: dict[str, T.Type],
                  limits: RuleLimits = DEFAULT_RULE_LIMITS, before: CheckedBefore | None = None) -> CheckedRules:
    """Parse every file (reporting every file's syntax errors) and check them together,
    and together with `before` when given."""
    # Lark and the checker are imported only when rules are parsed and checked.
    from engine.lang.checker import check
    from engine.lang.parser import parse_rules

    files: list[ast.RuleFile] = []
    problems: list[Diagnostic] = []
    for source in sources:
        try:
            files.append(parse_rules(source.text, source.display, limits.max_expression_depth))
        except DiagnosticError as exc:
            problems.extend(exc.diagnostics)
    if problems:
        raise DiagnosticError(problems)
    count = sum(len(f.rules) for f in files) + (len(before.rule_ids) if before else 0)
    if count > limits.max_rules:
        raise DiagnosticError([Diagnostic("CG218", f"{count:,} rules loaded, more than the limit of "
                                          f"{limits.max_rules:,}", hint="raise it with --limit max_rules=N")])
    if before is None:
        return check(files, load_catalogue(), sections)
    return check(before.helper_files + files, load_catalogue(), sections, before.rule_ids)
