"""docs/evidence.md, written from the schemas: every section, and a table of its fields.

    python -m engine.evidence.docs > docs/evidence.md

For each section of the bundle schema: its description, its shape (one object, or a list
of records), and one row per field, nested objects flattened with dotted paths (a list's
items as `name[]`): the type (with its format, allowed values or pattern), whether it is
required, the section it refers to (`x-ref`), and its description. The output depends on
the schemas alone, so a test can tell when the committed file is stale.
"""

from __future__ import annotations

import re
import sys
from typing import Any

from engine.evidence.schemas import SchemaSet, load_schema_set

COMMAND = "python -m engine.evidence.docs > docs/evidence.md"
_DEPTH = 8
_TYPE_WORDS = {"string": "text", "integer": "integer", "number": "number", "boolean": "true/false",
               "object": "object", "array": "list", "null": "null"}


def render(schemas: SchemaSet | None = None) -> str:
    schemas = schemas or load_schema_set()
    root = schemas.root
    sections = root.get("properties", {})
    required = set(root.get("required", []))
    out = [
        "# Evidence sections",
        "",
        f"<!-- Generated from the JSON Schemas in schemas/ by `{COMMAND}`; do not edit by hand. -->",
        "",
        _text(root.get("description", "")),
        "",
        "A bundle is one YAML or JSON file mapping section names to their content, or a folder of",
        "such files (a list section may also be a `<section>.jsonl` or `<section>.csv` file);",
        "docs/evidence-loading.md says how files are read. Only the sections marked required",
        "must be present; every field not listed here is refused, so a misspelt name is caught.",
        "",
        "Types: *text* is a string, *date* is `YYYY-MM-DD`, *date-time* is RFC 3339 with a time",
        "zone, *duration* is ISO 8601 (`P12M`, `P10D`, `PT4H`); *refers to* names the section",
        "whose item `id` the value must be.",
        "",
        "| section | shape | required | description |",
        "|---|---|---|---|",
    ]
    rendered = []
    for name, entry in sections.items():
        schema, base = schemas.resolve(entry, schemas.root_uri) if isinstance(entry, dict) else (entry, "")
        shape = "list of records" if _is_list(schemas, schema, base) else "object"
        description = _description(entry, schema)
        out.append(f"| [`{name}`](#{_anchor(name)}) | {shape} | {'yes' if name in required else 'no'} | "
                   f"{_cell(_first_sentence(description))} |")
        rendered.append(_section(schemas, name, entry, schema, base, name in required))
    out.append("")
    for block in rendered:
        out.extend(block)
    return "\n".join(out).rstrip("\n") + "\n"


def _section(schemas: SchemaSet, name: str, entry: Any, schema: Any, base: str, required: bool) -> list[str]:
    lines = [f"## {name}", ""]
    description = _description(entry, schema)
    if description:
        lines += [_text(description), ""]
    if schema is not entry and isinstance(schema, dict) and schema.get("description") \
            and schema.get("description") != description:
        lines += [_text(schema["description"]), ""]
    if _is_list(schemas, schema, base):
        items, items_base = schemas.resolve(schema.get("items", {}), schemas.node_base(schema) or base)
        each = _text(items.get("description", "")) if isinstance(items, dict) else ""
        lines.append(f"A list of records{' (required section)' if required else ''}."
                     + (f" Each record: {each}" if each else ""))
        target, target_base = items, items_base
    else:
        lines.append(f"One object{' (required section)' if required else ''}.")
        target, target_base = schema, base
    rows = list(_rows(schemas, target, target_base, "", 0, frozenset()))
    lines.append("")
    if rows:
        lines += ["| field | type | required | refers to | description |", "|---|---|---|---|---|"]
        lines += [f"| `{path}` | {kind} | {need} | {ref} | {_cell(text)} |" for path, kind, need, ref, text in rows]
        lines.append("")
    return lines


def _rows(schemas: SchemaSet, schema: Any, base: str, prefix: str, depth: int, seen: frozenset):
    """(path, type, required, refers to, description) for each field of an object schema."""
    if depth > _DEPTH or not isinstance(schema, dict):
        return
    objects = [branch for branch in _branches(schemas, schema, base) if isinstance(branch[0].get("properties"), dict)]
    for holder, holder_base in objects:
        required = set(holder.get("required", []))
        for name, entry in holder["properties"].items():
            path = f"{prefix}{name}"
            info = _describe(schemas, entry, holder_base)
            yield path, info["type"], "yes" if name in required else "no", info["ref"], info["description"]
            for child, child_base, suffix in info["nested"]:
                if id(child) not in seen:
                    yield from _rows(schemas, child, child_base, f"{path}{suffix}.", depth + 1, seen | {id(child)})


def _describe(schemas: SchemaSet, entry: Any, base: str) -> dict:
    """What a field's table row says, and the object schemas whose fields follow it."""
    description = entry.get("description", "") if isinstance(entry, dict) else ""
    kinds: list[str] = []
    refs: list[str] = []
    nested: list[tuple[Any, str, str]] = []
    for schema, schema_base in _branches(schemas, entry, base):
        description = description or schema.get("description", "")
        if isinstance(schema.get("x-ref"), str):
            refs.append(schema["x-ref"])
        word = _type_word(schema)
        if word:
            kinds.append(word)
        if isinstance(schema.get("properties"), dict):
            nested.append((schema, schema_base, ""))
        items = schema.get("items")
        if isinstance(items, dict):
            item_kinds = []
            for item, item_base in _branches(schemas, items, schema_base):
                if isinstance(item.get("x-ref"), str):
                    refs.append(item["x-ref"])
                word = _type_word(item)
                if word:
                    item_kinds.append(word)
                if isinstance(item.get("properties"), dict):
                    nested.append((item, item_base, "[]"))
            kinds = [k for k in kinds if k != "list"]
            listed = " or ".join(_unique(item_kinds)) if item_kinds else "anything"
            kinds.append(f"list of {listed}" + (", no repeats" if schema.get("uniqueItems") is True else ""))
    if refs:  # a reference is an id; its pattern says nothing more
        kinds = [_as_id(k) for k in kinds]
    kind = " or ".join(_unique(kinds)) or "anything"
    return {"type": kind, "ref": ", ".join(f"`{r}`" for r in _unique(refs)), "description": description,
            "nested": nested}


def _as_id(kind: str) -> str:
    return re.sub(r"text matching `[^`]*`", "id", kind)


def _type_word(schema: dict) -> str:
    """The type of one schema (not following references), in the docs' words."""
    parts: list[str] = []
    declared = schema.get("type")
    names = [declared] if isinstance(declared, str) else list(declared) if isinstance(declared, list) else []
    if "enum" in schema and isinstance(schema["enum"], list):
        values = ", ".join(f"`{_value(v)}`" for v in schema["enum"])
        return f"one of {values}"
    if "const" in schema:
        return f"`{_value(schema['const'])}`"
    for name in names:
        if name == "array":
            continue  # said as "list of ..." by the caller
        word = _TYPE_WORDS.get(name, name)
        if name == "string" and isinstance(schema.get("format"), str):
            word = schema["format"]
        elif name == "string" and isinstance(schema.get("pattern"), str):
            word = f"text matching `{schema['pattern']}`"
        if name in ("integer", "number"):
            bounds = [f"{symbol} {schema[key]}" for key, symbol in (("minimum", "≥"), ("exclusiveMinimum", ">"),
                                                                    ("maximum", "≤"), ("exclusiveMaximum", "<"))
                      if key in schema]
            if bounds:
                word += f" ({', '.join(bounds)})"
        parts.append(word)
    if "array" in names and not isinstance(schema.get("items"), dict):
        parts.append("list")
    return " or ".join(parts)


def _branches(schemas: SchemaSet, schema: Any, base: str) -> list[tuple[dict, str]]:
    """The schema and every schema it refers to or combines (anyOf/oneOf/allOf), in order."""
    out: list[tuple[dict, str]] = []
    stack = [(schema, base)]
    seen: set[int] = set()
    while stack:
        node, node_base = stack.pop()
        if not isinstance(node, dict) or id(node) in seen:
            continue
        seen.add(id(node))
        node_base = schemas.node_base(node) or node_base
        out.append((node, node_base))
        children = []
        if isinstance(node.get("$ref"), str):
            children.append(schemas.lookup(node["$ref"], node_base))
        for keyword in ("allOf", "anyOf", "oneOf"):
            if isinstance(node.get(keyword), list):
                children.extend((branch, node_base) for branch in node[keyword])
        stack.extend(reversed(children))
    return out


def _is_list(schemas: SchemaSet, schema: Any, base: str) -> bool:
    return any(branch.get("type") == "array" for branch, _ in _branches(schemas, schema, base))


def _description(entry: Any, schema: Any) -> str:
    for node in (entry, schema):
        if isinstance(node, dict) and isinstance(node.get("description"), str):
            return node["description"]
    return ""


def _first_sentence(text: str) -> str:
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def _value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def _text(text: str) -> str:
    return " ".join(str(text).split())


def _cell(text: str) -> str:
    return _text(text).replace("|", "\\|")


def _anchor(name: str) -> str:
    return name.lower().replace(" ", "-")


def main() -> int:
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    sys.exit(main())
