"""The bulk validation pass: the schemas compiled into Python that only answers valid or not.

jsonschema takes about 60 µs per incident record, a minute for a million. Yet almost every
bundle checked is valid, and a valid bundle needs no messages. So the schemas are turned
into straight-line Python, one boolean expression per schema node (`type(x) is dict and
(v1 := x.get('id', M)) is not M and ...`), compiled once per schema set, and run over the
data. Only when it answers "invalid" does jsonschema run, and then only into the parts
this pass rejects (see validate.py), so messages stay exactly what jsonschema and
explain.py make of them.

The answer must never be "valid" where jsonschema finds a violation. The generated code
follows jsonschema's semantics keyword by keyword (types of the data as jsonschema's type
checker sees them, its notion of equality for `enum`, `const` and `uniqueItems`, the
formats of formats.py, RE2's meaning for `pattern`, clausegate's `x-ref`). A node using a
keyword not written here (`if`, `contains`, `patternProperties`, `unevaluatedProperties`,
...) is checked by jsonschema itself, node by node: slower, never wrong. Answering
"invalid" where jsonschema finds nothing only costs time: validation then returns no
diagnostics, as jsonschema decides.

Checks that cost most per value (`format` date and date-time, translatable `pattern`s) are
deferred in the bulk pass: each value is appended to a list, and each list is checked by
one regular-expression match over all its values at the end (batch.BatchCheck).
"""

from __future__ import annotations

import numbers
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from engine.evidence.formats import CHECKS as FORMAT_CHECKS
from engine.evidence.formats import QUICK, quick_check
from engine.evidence.batch import BatchCheck, regex_test

if TYPE_CHECKING:
    from engine.evidence.schemas import SchemaSet

REFERENCE_KEYWORD = "x-ref"

# Keywords jsonschema's draft 2020-12 validator asserts that this module writes out.
SUPPORTED = frozenset({
    "$ref", "type", "enum", "const", "properties", "required", "additionalProperties", "items", "minItems",
    "maxItems", "uniqueItems", "minLength", "maxLength", "pattern", "format", "minimum", "maximum",
    "exclusiveMinimum", "exclusiveMaximum", "minProperties", "maxProperties", "allOf", "anyOf", "oneOf", "not",
    REFERENCE_KEYWORD,
})
# Keywords jsonschema asserts that this module leaves to jsonschema, node by node.
DELEGATED = frozenset({
    "$dynamicRef", "$recursiveRef", "contains", "minContains", "maxContains", "dependentRequired",
    "dependentSchemas", "if", "then", "else", "multipleOf", "patternProperties", "prefixItems", "propertyNames",
    "unevaluatedItems", "unevaluatedProperties", "additionalItems", "dependencies",
})
# Every other keyword is an annotation to jsonschema (title, description, $defs, x-...).

_JSON_TYPES = {"string", "number", "integer", "boolean", "object", "array", "null"}
_APPLIES_TO = {"string": {"string"}, "number": {"integer", "number"}, "object": {"object"}, "array": {"array"}}
_STRING_TESTS = {"string": "isinstance({x}, str)", "object": "isinstance({x}, dict)", "array": "isinstance({x}, list)"}
_EXACT_TESTS = {
    "string": "type({x}) is str",
    "null": "{x} is None",
    "boolean": "type({x}) is bool",
    "object": "type({x}) is dict",
    "array": "type({x}) is list",
    "number": "type({x}) in NUMBERS",
    "integer": "(type({x}) is int or (type({x}) is float and {x}.is_integer()))",
}
_INLINE_DEPTH = 12


def _indent(text: str, by: int = 4) -> str:
    return "\n".join(" " * by + line for line in text.split("\n"))


_NULL_SENSITIVE = frozenset({"enum", "const", "$ref", "allOf", "anyOf", "oneOf", "not"})


def _declared(node: dict) -> set[str] | None:
    declared = node.get("type")
    if declared is None:
        return None
    allowed = set([declared] if isinstance(declared, str) else declared)
    if "number" in allowed:
        allowed.discard("integer")
    return allowed


def _is_block(node: dict) -> bool:
    return any(keyword in node for keyword in ("properties", "items", "anyOf", "oneOf", "allOf"))


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


_MISSING = _Missing()


# -- jsonschema's semantics, for the helpers the generated code calls ----------------------------


class _Everything:
    """The ids of a section a partial bundle does not have: any id is taken as known."""

    def __contains__(self, item: object) -> bool:
        return True


EVERYTHING = _Everything()
_ID = itemgetter("id")
NOTHING: frozenset = frozenset()


def is_number(value: object) -> bool:
    """jsonschema's "number": any numbers.Number but a boolean."""
    return not isinstance(value, bool) and isinstance(value, numbers.Number)


def _unbool(value: object) -> object:
    return ("\0bool", value) if isinstance(value, bool) else value


def equal(one: object, two: object) -> bool:
    """jsonschema's equality: true and 1 differ (at any depth), 1 and 1.0 do not."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return one == two
    if isinstance(one, (list, tuple)) and isinstance(two, (list, tuple)):
        return len(one) == len(two) and all(equal(a, b) for a, b in zip(one, two))
    if isinstance(one, dict) and isinstance(two, dict):
        return one.keys() == two.keys() and all(equal(one[key], two[key]) for key in one)
    if isinstance(one, (list, tuple, dict)) or isinstance(two, (list, tuple, dict)):
        return False
    return _unbool(one) == _unbool(two)


def in_enum(value: object, allowed: tuple) -> bool:
    return any(equal(each, value) for each in allowed)


def unique(items: list) -> bool:
    """No two items equal in jsonschema's sense (every pair is compared, so this never
    passes a list that jsonschema's own sorting shortcut would fail)."""
    if all(type(item) is str for item in items):
        return len(set(items)) == len(items)
    return not any(equal(items[i], items[j]) for i in range(len(items)) for j in range(i + 1, len(items)))


class References(dict):
    """Section → the ids of its items, for `x-ref`, worked out when first asked for: the
    `id`s of a list section's items; nothing for a section that is not a list; for a section
    the bundle does not have, nothing (any reference dangles) or, for a partial bundle,
    everything (references into absent sections are not checked)."""

    def __init__(self, data: Any, partial: bool):
        super().__init__()
        self._data, self.partial = data, partial

    def present(self, section: str) -> bool:
        return isinstance(self._data, dict) and section in self._data

    def repeats_ids(self, section: str) -> bool:
        """Whether the list section may repeat an id: its ids, as worked out for `x-ref`,
        are fewer than its items (validate.py then looks closer)."""
        content = self._data.get(section)
        return isinstance(content, list) and len(self[section]) != len(content)

    def __missing__(self, section: str) -> Any:
        content = self._data.get(section, _MISSING) if isinstance(self._data, dict) else _MISSING
        if content is _MISSING:
            found: Any = EVERYTHING if self.partial else NOTHING
        elif isinstance(content, list):
            try:  # at C speed when every item has an id
                found = set(map(_ID, content))
                if set(map(type, found)) - {str}:
                    raise TypeError
            except (TypeError, KeyError, IndexError):
                found = {item["id"] for item in content if isinstance(item, dict) and isinstance(item.get("id"), str)}
        else:
            found = NOTHING
        self[section] = found
        return found


# -- the generator -------------------------------------------------------------------------------


class _Scope:
    """The temporaries of one generated function; `subscripts`: its code reads required
    fields as x['name'], so a missing one raises KeyError, which the function catches."""

    def __init__(self):
        self.count = 0
        self.subscripts = False

    def fresh(self) -> str:
        self.count += 1
        return f"v{self.count}"


class Program(NamedTuple):
    """One schema node's check: `make(REFS, DEFER)` returns the function that tells whether
    a value is valid; REFS maps the sections `x-ref` names to their ids, DEFER holds a list
    per batch check, to which the function appends the values it defers."""

    make: Callable[..., Callable[[Any], bool]]
    batches: list[BatchCheck]


class GeneratedProgram(NamedTuple):
    """A program's source, which defines `function_name(SCHEMAS, <constants>)` returning
    `make`, and what to call it with. `recipes` says how each constant and each batch check
    was made (a key of `constant_value`/`batch_value`), so that it can be written as source."""

    function_name: str
    source: str
    constants: dict[str, Any]
    recipes: dict[str, tuple]
    batches: list[tuple[tuple, BatchCheck]]

    def program(self, schemas: "SchemaSet") -> Program:
        namespace = dict(GENERATED_NAMESPACE)
        exec(compile(self.source, "<clausegate bulk validation>", "exec"), namespace)  # noqa: S102 - our own code
        make = namespace[self.function_name](schemas, **self.constants)
        return Program(make, [check for _, check in self.batches])


def constant_value(recipe: tuple) -> Any:
    """A constant rebuilt from its recipe (what the prebuilt validators do)."""
    kind, *arguments = recipe
    if kind == "regex":
        item, _ = arguments
        return regex_test(item)
    if kind == "pattern":
        return _pattern_check(*arguments).test
    if kind == "format":
        return quick_check(*arguments)
    if kind == "strings":
        return frozenset(*arguments)
    raise ValueError(f"no recipe for a {kind} constant")


def batch_value(recipe: tuple) -> BatchCheck:
    kind, *arguments = recipe
    if kind == "regex":
        item, batch = arguments
        return BatchCheck(batch, regex_test(item))
    name, = arguments
    return BatchCheck(QUICK[name], FORMAT_CHECKS[name])


def _pattern_check(pattern: str):
    # The translator and RE2, for a pattern that does not translate or a schema's own.
    from engine.evidence.patterns import compile_pattern

    return compile_pattern(pattern)


class _Generator:
    def __init__(self, schemas: "SchemaSet", batch: bool):
        self.schemas = schemas
        self.batch = batch
        self.constants: dict[str, Any] = {}
        self.recipes: dict[str, tuple] = {}
        self._constant_names: dict[tuple, str] = {}
        self.sections: dict[str, str] = {}
        self.batches: list[BatchCheck] = []
        self._batch_names: dict[tuple, str] = {}
        self.fallbacks: dict[int, str] = {}
        self.functions: dict[int, str] = {}
        self.pending: list[tuple[Any, str, str]] = []
        self.bodies: list[str] = []
        self.delegated = False
        self.helpers = 0
        self._delegation: dict[int, bool] = {}

    # names the code uses

    def constant(self, value: Any, key: tuple | None = None) -> str:
        """`key`, when given, is the constant's recipe (see constant_value); without one the
        value is plain data (a tuple or a set of JSON values)."""
        name = self._constant_names.get(key if key is not None else ("id", id(value)))
        if name is None:
            name = self._constant_names[key if key is not None else ("id", id(value))] = f"K{len(self._constant_names)}"
            self.constants[name] = value
            if key is not None:
                self.recipes[name] = key
        return name

    def reference(self, section: str) -> str:
        name = self.sections.get(section)
        if name is None:
            name = self.sections[section] = f"R{len(self.sections)}"
        return name

    def deferred(self, key: tuple, check: BatchCheck) -> str:
        name = self._batch_names.get(key)
        if name is None:
            name = self._batch_names[key] = f"A{len(self.batches)}"
            self.batches.append(check)
        return name

    def function(self, node: Any, base: str) -> str:
        name = self.functions.get(id(node))
        if name is None:
            name = self.functions[id(node)] = f"f{len(self.functions)}"
            self.pending.append((node, base, name))
        return name

    def fallback(self, node: Any) -> str:
        self.delegated = True
        name = self.fallbacks.get(id(node))
        if name is None:
            name = self.fallbacks[id(node)] = f"J{len(self.fallbacks)}"
            indexed = self.schemas.node_base(node) is not None
            self.constants[f"{name}_uri"] = self.schemas.node_uri(node) if indexed else node
        return name

    # the program

    def generate(self, node: Any, base: str, function_name: str = "program") -> GeneratedProgram:
        entry = self.function(node, base)
        while self.pending:
            pending, pending_base, name = self.pending.pop()
            self.bodies.append(self._define(name, pending, pending_base, _Scope()))
        parameters = ", ".join(["SCHEMAS", *self.constants])
        lines = [f"def {function_name}({parameters}):", "def make(REFS, DEFER):"]
        for section, name in sorted(self.sections.items(), key=lambda pair: pair[1]):
            lines.append(f"    {name} = REFS[{section!r}]")
        for index in range(len(self.batches)):
            lines.append(f"    A{index} = DEFER[{index}].append")
        for name in sorted(self.fallbacks.values()):
            lines.append(f"    {name} = DELEGATE(SCHEMAS, {name}_uri, REFS)")
        lines.extend(self.bodies)
        lines.append(f"    return {entry}")
        lines.append("return make")
        source = lines[0] + "\n" + _indent("\n".join(lines[1:])) + "\n"
        batches = [(key, self.batches[int(name[1:])]) for key, name in self._batch_names.items()]
        return GeneratedProgram(function_name, source, dict(self.constants), dict(self.recipes), batches)

    def _define(self, name: str, node: Any, base: str, scope: _Scope) -> str:
        stack = frozenset({id(node)})
        if isinstance(node, dict) and not self._delegates(node) and isinstance(node.get("items"), dict):
            # A list's items need a loop: the list's own keywords first, then each item.
            base = self._base(node, base)
            head = self.expr(node, base, "x", scope, 0, stack, True, loop_items=False)
            check = self.expr(node["items"], base, "i", scope, 1, stack | {id(node["items"])}, True)
            body = (f"if not ({head}):\n    return False\n"
                    f"if isinstance(x, list):\n"
                    f"    for i in x:\n        if not ({check}):\n            return False\n"
                    f"return True")
        else:
            body = f"return {self.expr(node, base, 'x', scope, 0, stack, True)}"
        if scope.subscripts:
            body = "try:\n" + _indent(body) + "\nexcept KeyError:\n    return False"
        return f"    def {name}(x):\n" + _indent(body, 8)

    # expressions

    def _base(self, node: Any, base: str) -> str:
        return self.schemas.node_base(node) or base

    def _delegates(self, node: dict) -> bool:
        known = self._delegation.get(id(node))
        if known is None:
            known = self._delegation[id(node)] = self._delegates_now(node)
        return known

    def _delegates_now(self, node: dict) -> bool:
        for keyword, value in node.items():
            if keyword in DELEGATED:
                return True
            if keyword == "type" and not (isinstance(value, str) and value in _JSON_TYPES or isinstance(value, list)
                                          and all(isinstance(v, str) and v in _JSON_TYPES for v in value)):
                return True
            if keyword in ("$ref", "format", "pattern", REFERENCE_KEYWORD) and not isinstance(value, str):
                return True
            if keyword in ("properties",) and not isinstance(value, dict):
                return True
            if keyword in ("required", "enum") and not isinstance(value, list):
                return True
            if keyword == "required" and not all(isinstance(v, str) for v in value):
                return True
            if keyword in ("allOf", "anyOf", "oneOf") and not (isinstance(value, list) and value):
                return True
            if keyword in ("items", "additionalProperties", "not") and not isinstance(value, (dict, bool)):
                return True
            if keyword in ("minItems", "maxItems", "minLength", "maxLength", "minProperties", "maxProperties") \
                    and not (type(value) is int or type(value) is float and value.is_integer()):
                return True
            if keyword in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum") \
                    and not type(value) in (int, float):
                return True
            if keyword == "uniqueItems" and not isinstance(value, bool):
                return True
        return False

    def expr(self, node: Any, base: str, x: str, scope: _Scope, depth: int, stack: frozenset,
             defer: bool, *, loop_items: bool = True) -> str:
        """A boolean expression: does the value in variable `x` satisfy `node`?"""
        if node is True:
            return "True"
        if node is False:
            return "False"
        if not isinstance(node, dict):
            return "True"  # jsonschema treats a non-schema as no constraint; the meta-schema check refuses it
        if self._delegates(node):
            return f"{self.fallback(node)}({x})"
        base = self._base(node, base)
        allowed = _declared(node)
        if allowed is not None and "null" in allowed and len(allowed) > 1 and not node.keys() & _NULL_SENSITIVE:
            # Nullable: null passes at once, and the rest is checked knowing the type is not null.
            rest = self._conjunction(node, base, x, scope, depth, stack, defer, loop_items, allowed - {"null"})
            return f"({x} is None or {rest})"
        return self._conjunction(node, base, x, scope, depth, stack, defer, loop_items, allowed)

    def _conjunction(self, node: dict, base: str, x: str, scope: _Scope, depth: int, stack: frozenset,
                     defer: bool, loop_items: bool, allowed: set[str] | None) -> str:
        parts: list[str] = []
        if allowed is not None:
            parts.append(self._type_test(allowed, x))
        if "$ref" in node:
            # First: when the target fixes the type, the keywords beside the $ref need no guard.
            target, target_base = self.schemas.lookup(node["$ref"], base)
            parts.append(self._sub(target, target_base, x, scope, depth, stack, defer, shared=True))
            if allowed is None:
                allowed = self._implied(target, 0)
        if "enum" in node:
            parts.append(self._enum(node["enum"], allowed, x))
        if "const" in node:
            parts.append(self._enum([node["const"]], allowed, x))
        for kind, builder in (("object", self._object), ("array", self._array), ("string", self._string),
                              ("number", self._number)):
            checks = builder(node, base, x, scope, depth, stack, defer, loop_items, allowed)
            if checks:
                guarded = self._guard(kind, " and ".join(checks), allowed, x)
                if guarded:
                    parts.append(guarded)
        if "format" in node:
            parts.append(self._format(node["format"], allowed, x, defer))
        if "allOf" in node:
            parts.extend(self._sub(sub, base, x, scope, depth, stack, defer) for sub in node["allOf"])
        if "anyOf" in node:
            branches = [self._sub(sub, base, x, scope, depth, stack, defer) for sub in node["anyOf"]]
            parts.append("(" + " or ".join(sorted(branches, key=len)) + ")")  # the cheap test first
        if "oneOf" in node:
            parts.append("((" + ") + (".join(self._sub(sub, base, x, scope, depth, stack, False)
                                             for sub in node["oneOf"]) + ") == 1)")
        if "not" in node:
            parts.append(f"not ({self._sub(node['not'], base, x, scope, depth, stack, False)})")
        parts = [part for part in parts if part != "True"]
        if not parts:
            return "True"
        return parts[0] if len(parts) == 1 else "(" + " and ".join(parts) + ")"

    def _implied(self, node: Any, depth: int) -> set[str] | None:
        """The JSON types a node's code admits (its `type`, or its `$ref`'s), exactly as the
        code tests them; None when it admits any."""
        if not isinstance(node, dict) or self._delegates(node) or depth > _INLINE_DEPTH:
            return None
        declared = _declared(node)
        if declared is not None:
            return declared
        if "$ref" in node:
            target, _ = self.schemas.lookup(node["$ref"], self._base(node, ""))
            return self._implied(target, depth + 1)
        return None

    def _sub(self, node: Any, base: str, x: str, scope: _Scope, depth: int, stack: frozenset, defer: bool,
             *, shared: bool = False) -> str:
        """A subschema: inline, or a call where it recurses, nests too deep, or is a block
        that `$ref`s share (an object or a list, whose code would otherwise be repeated)."""
        if isinstance(node, dict) and (id(node) in stack or depth >= _INLINE_DEPTH
                                       or shared and _is_block(node)):
            return f"{self.function(node, self._base(node, base))}({x})"
        return self.expr(node, base, x, scope, depth + 1, stack | {id(node)}, defer)

    def _type_test(self, allowed: set[str], x: str) -> str:
        tests = [_EXACT_TESTS[name].format(x=x) for name in sorted(allowed)]
        return tests[0] if len(tests) == 1 else "(" + " or ".join(tests) + ")"

    def _guard(self, kind: str, check: str, allowed: set[str] | None, x: str) -> str | None:
        """`check` applies only to values of one JSON type, as each jsonschema keyword does."""
        applies = _APPLIES_TO[kind]
        if allowed is None:
            if kind == "number":
                return f"(({check}) if type({x}) in NUMBERS else not is_number({x}))"
            return f"(not {_STRING_TESTS[kind].format(x=x)} or ({check}))"
        if not allowed & applies:
            return None
        if allowed <= applies:
            return check
        return f"(not {self._type_test(allowed & applies, x)} or ({check}))"

    def _enum(self, values: list, allowed: set[str] | None, x: str) -> str:
        if values and all(type(v) is str for v in values):
            name = self.constant(frozenset(values), ("strings", tuple(sorted(values))))
            if allowed is not None and allowed <= {"string"}:
                return f"{x} in {name}"
            return f"(type({x}) is str and {x} in {name})"
        return f"in_enum({x}, {self.constant(tuple(values))})"

    def _object(self, node, base, x, scope, depth, stack, defer, loop_items, allowed) -> list[str]:
        checks: list[str] = []
        properties = node.get("properties", {})
        required = node.get("required", [])
        additional = node.get("additionalProperties", True)
        present: list[str] = []  # temporaries of optional properties, for counting
        required_known = 0
        exact = allowed is not None and allowed <= {"object"}  # x is a dict, not a subclass
        for name, subschema in properties.items():
            variable = scope.fresh()
            fetch = f"({variable} := {x}.get({name!r}, M))"
            check = self._sub(subschema, base, variable, scope, depth, stack, defer)
            if name in required:
                required_known += 1
                if exact:  # the quickest read; a missing field raises KeyError: invalid
                    scope.subscripts = True
                    checks.append(f"(({variable} := {x}[{name!r}]) is not M" + ("" if check == "True" else f" and {check}") + ")")
                else:
                    checks.append(f"{fetch} is not M" + ("" if check == "True" else f" and {check}"))
            else:
                if check == "True" and additional is not False:
                    continue
                checks.append(f"({fetch} is M or {check})")
                present.append(variable)
        checks.extend(f"{name!r} in {x}" for name in required if name not in properties)
        if additional is False:
            if not present:
                checks.append(f"len({x}) == {required_known}")
            elif len(present) <= 2:
                counted = " + ".join([str(required_known)] + [f"({v} is not M)" for v in present])
                checks.append(f"len({x}) == {counted}")
            else:  # one C call counts the absent ones
                checks.append(f"len({x}) == {required_known + len(present)} - ({', '.join(present)}).count(M)")
        elif additional is not True:
            known = self.constant(frozenset(properties))
            scope_extra = _Scope()
            check = self.expr(additional, base, "e", scope_extra, depth + 1, stack | {id(additional)}, defer)
            self.helpers += 1
            name = f"g{self.helpers}"
            body = (f"for k in x:\n    if k not in {known}:\n        e = x[k]\n"
                    f"        if not ({check}):\n            return False\nreturn True")
            if scope_extra.subscripts:
                body = "try:\n" + _indent(body) + "\nexcept KeyError:\n    return False"
            self.bodies.append(f"    def {name}(x):\n" + _indent(body, 8))
            checks.append(f"{name}({x})")
        if "minProperties" in node:
            checks.append(f"len({x}) >= {node['minProperties']}")
        if "maxProperties" in node:
            checks.append(f"len({x}) <= {node['maxProperties']}")
        return checks

    def _array(self, node, base, x, scope, depth, stack, defer, loop_items, allowed) -> list[str]:
        checks: list[str] = []
        items = node.get("items")
        if items is False:
            checks.append(f"not {x}")
        elif isinstance(items, dict) and loop_items:
            return [f"{self.function(node, base)}({x})"]  # the loop function checks the rest too
        if "minItems" in node:
            checks.append(f"len({x}) >= {node['minItems']}")
        if "maxItems" in node:
            checks.append(f"len({x}) <= {node['maxItems']}")
        if node.get("uniqueItems") is True:
            checks.append(f"unique({x})")
        return checks

    def _string(self, node, base, x, scope, depth, stack, defer, loop_items, allowed) -> list[str]:
        checks: list[str] = []
        if "minLength" in node:
            checks.append(f"len({x}) >= {node['minLength']}")
        if "maxLength" in node:
            checks.append(f"len({x}) <= {node['maxLength']}")
        if "pattern" in node:
            check = _pattern_check(node["pattern"])
            if self.batch and defer and check.batch is not None:
                checks.append(f"not {self.deferred(check.recipe, check.batch)}({x})")
            else:
                checks.append(f"{self.constant(check.test, check.recipe)}({x})")
        if REFERENCE_KEYWORD in node:
            checks.append(f"{x} in {self.reference(node[REFERENCE_KEYWORD])}")
        return checks

    def _number(self, node, base, x, scope, depth, stack, defer, loop_items, allowed) -> list[str]:
        checks: list[str] = []
        for keyword, operator in (("minimum", ">="), ("maximum", "<="), ("exclusiveMinimum", ">"),
                                  ("exclusiveMaximum", "<")):
            if keyword in node:
                checks.append(f"{x} {operator} {node[keyword]!r}")
        return checks

    def _format(self, name: str, allowed: set[str] | None, x: str, defer: bool) -> str:
        if name not in FORMAT_CHECKS:
            return "True"  # jsonschema's checker knows only clausegate's formats; others pass
        if self.batch and defer and name in QUICK:
            exact = FORMAT_CHECKS[name]
            append = self.deferred(("format", name), BatchCheck(QUICK[name], exact))
            if allowed is not None and allowed <= {"string"}:
                return f"not {append}({x})"
            return f"(not isinstance({x}, str) or not {append}({x}))"
        return f"{self.constant(quick_check(name), ('format', name))}({x})"


def _delegate(schemas: "SchemaSet", node: str | dict, refs: "References") -> Callable[[Any], bool]:
    """jsonschema's own answer for one node (its URI, or the schema itself when it is not
    one of the set's), for the keywords this module leaves to it."""
    from engine.evidence.diagnose import node_validator

    return node_validator(schemas, node, refs)


def generate_program(schemas: "SchemaSet", node: Any, base: str, *, batch: bool = True,
                     function_name: str = "program") -> GeneratedProgram:
    """The generated check of one schema node (read at `base`); `batch` defers the costly
    format and pattern checks to one pass over all their values."""
    return _Generator(schemas, batch).generate(node, base, function_name)


# What generated validation code calls, besides its constants.
GENERATED_NAMESPACE: dict[str, Any] = {
    "M": _MISSING, "NUMBERS": (int, float), "is_number": is_number, "equal": equal, "in_enum": in_enum,
    "unique": unique, "DELEGATE": _delegate,
}


# -- what validate.py uses --------------------------------------------------------------------------


class BulkValidator:
    """Compiled checks for one schema set; build it once (SchemaSet.bulk does). Code is
    generated per section, when a bundle first has that section."""

    _ROOT_KEYWORDS = frozenset({"type", "properties", "required", "additionalProperties"})

    def __init__(self, schemas: "SchemaSet"):
        self._schemas = schemas
        self._programs: dict[tuple[int, bool], Program] = {}
        # Section name → its prebuilt program, for the shipped schemas (engine/prebuilt).
        self._prebuilt: dict[str, Callable[[], Program]] | None = None
        self._sections: dict[str, Program] = {}
        self._partial_root: dict | None = None

    def program(self, node: Any, base: str, *, batch: bool = True) -> Program:
        key = (id(node), batch)
        program = self._programs.get(key)
        if program is None:
            program = self._programs[key] = generate_program(self._schemas, node, base, batch=batch).program(self._schemas)
        return program

    def section_program(self, name: str, node: Any, base: str) -> Program:
        """A section's program: prebuilt when the schemas are the shipped ones, which needs
        no index of the schema nodes."""
        program = self._sections.get(name)
        if program is None:
            if self._prebuilt is None:
                from engine.prebuilt.validators import prebuilt_programs

                self._prebuilt = prebuilt_programs(self._schemas)
            made = self._prebuilt.get(name)
            program = made() if made is not None else self.program(node, self._schemas.node_base(node) or base)
            self._sections[name] = program
        return program

    def is_valid(self, data: Any, refs: "References", partial: bool) -> bool:
        root, base = self._schemas.root, self._schemas.root_uri
        if not self._plain_object(root):
            if partial:
                if self._partial_root is None:
                    self._partial_root = {key: value for key, value in root.items() if key != "required"}
                root = self._partial_root
            return self._run(self.program(root, self._schemas.node_base(root) or base), data, refs)
        # The bundle mapping itself, here; each section by its own compiled code.
        if type(data) is not dict:
            return False
        properties = root.get("properties", {})
        if not partial and not all(name in data for name in root.get("required", [])):
            return False
        if root.get("additionalProperties", True) is False and not data.keys() <= properties.keys():
            return False
        return all(self._run(self.section_program(name, properties[name], base), value, refs)
                   for name, value in data.items() if name in properties)

    def _plain_object(self, root: Any) -> bool:
        """A bundle schema this class checks itself: an object with properties, required
        sections and true or false for additional ones, and nothing else jsonschema asserts."""
        if not isinstance(root, dict) or root.get("type", "object") != "object":
            return False
        if not isinstance(root.get("properties", {}), dict) or not isinstance(root.get("required", []), list):
            return False
        if not isinstance(root.get("additionalProperties", True), bool):
            return False
        asserted = (SUPPORTED | DELEGATED) & root.keys()
        return asserted <= self._ROOT_KEYWORDS

    @staticmethod
    def _run(program: Program, value: Any, refs: "References") -> bool:
        deferred: list[list] = [[] for _ in program.batches]
        if not program.make(refs, deferred)(value):
            return False
        return all(batch(values) for batch, values in zip(program.batches, deferred))

    def node_checks(self, refs: "References") -> Callable[[Any], Callable[[Any], bool] | None]:
        """For one validation: a schema node → a function telling whether a value is valid
        against it (None for a node not in the schema set)."""
        made: dict[int, Callable[[Any], bool] | None] = {}

        def check_for(node: Any) -> Callable[[Any], bool] | None:
            key = id(node)
            if key not in made:
                base = self._schemas.node_base(node)
                if base is None or not isinstance(node, dict):
                    made[key] = None
                else:
                    made[key] = self.program(node, base, batch=False).make(refs, [])
            return made[key]

        return check_for
