"""Types read off JSON Schemas: what the checker knows about evidence fields."""

from engine.lang import types as T


def _no_refs(schema, base):
    raise AssertionError("no $ref expected")


def test_one_of_two_objects_is_an_object_with_the_fields_of_either() -> None:
    schema = {"oneOf": [
        {"type": "object", "additionalProperties": False,
         "properties": {"process": {"type": "string"}, "on": {"type": "string", "format": "date"}}},
        {"type": "object", "additionalProperties": False,
         "properties": {"service": {"type": "string"}, "on": {"type": "string", "format": "date"}}},
    ]}
    t = T.from_schema(schema, "", _no_refs)
    fields, closed = t.fields()
    assert set(fields) == {"process", "service", "on"} and fields["on"] == T.DATE and closed


def test_nullable_and_formats() -> None:
    assert T.from_schema({"type": ["string", "null"], "format": "date-time"}, "", _no_refs) == T.DATETIME
    assert T.from_schema({"anyOf": [{"type": "null"}, {"type": "string", "format": "duration"}]}, "",
                         _no_refs) == T.DURATION
    assert T.from_schema({"enum": ["a", "b"]}, "", _no_refs) == T.STRING


def test_an_empty_list_joins_any_list() -> None:
    dated = T.ListType(T.DATE)
    assert T.unify(dated, T.ListType(T.NULL)) == dated
