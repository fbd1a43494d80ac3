"""The diagnostic codes of the evidence stage, and the one way this package raises them.

Loading files and bundles (CG301–CG339):

| code  | refused because                                                          |
|-------|--------------------------------------------------------------------------|
| CG301 | the file or bundle cannot be opened or read (missing, no permission)     |
| CG302 | not a regular file (directory, FIFO, device, socket)                     |
| CG303 | the file is larger than `Limits.max_file_bytes`                          |
| CG304 | the file is empty or holds no data                                       |
| CG305 | the bytes are not valid UTF-8                                            |
| CG306 | a byte order mark, or UTF-16 / UTF-32 text                               |
| CG307 | a NUL character (raw byte or escape)                                     |
| CG308 | a lone surrogate (an escape such as \\ud800 with no pair)               |
| CG309 | a key holds a control, line-separator or bidirectional-control character |
| CG310 | YAML text with a line break other than LF or CRLF (CR, NEL, U+2028/9)    |
| CG311 | YAML syntax error, or a character YAML does not allow                    |
| CG312 | JSON syntax error (also one line of a JSON Lines file)                   |
| CG313 | a YAML anchor or alias                                                   |
| CG314 | a YAML merge key `<<`                                                    |
| CG315 | an explicit YAML tag (`!!binary`, `!foo`, `!`, ...)                      |
| CG316 | a key appears twice in one mapping                                       |
| CG317 | a key that is not text (number, boolean, null, list, mapping)            |
| CG318 | more than one YAML document in a file                                    |
| CG319 | the top level is not a mapping                                           |
| CG320 | nesting deeper than `Limits.max_depth`                                   |
| CG321 | a text value or key longer than `Limits.max_string_length`               |
| CG322 | NaN or infinity (`NaN`, `Infinity`, `.nan`, `.inf`)                      |
| CG323 | an integer outside the signed 64-bit range                               |
| CG324 | a number too large to represent (overflows to infinity)                  |
| CG325 | a file type the loader does not read                                     |
| CG330 | a bundle directory holds no evidence file                                |
| CG331 | the same section comes from two files                                    |
| CG332 | a symbolic link leads outside the bundle directory                       |
| CG333 | a JSON Lines record is not an object                                     |
| CG334 | a CSV header is missing, empty, repeated or conflicting                  |
| CG335 | a CSV row has a different number of cells than the header                |
| CG336 | a CSV quote is misplaced or never closed                                 |
| CG337 | a record file's name is not a usable section name                        |
| CG338 | a CSV cell cannot be read as what its field takes (see cells.py)          |
| CG339 | the bundle's files together are larger than the bundle size limit          |

Validating a bundle (CG401–CG439), see validate.py:

| code  | reported because                                                   |
|-------|--------------------------------------------------------------------|
| CG401 | a value has the wrong type                                         |
| CG402 | a required field or section is missing                             |
| CG403 | a field the schema does not know (often a misspelling)             |
| CG404 | a value outside the allowed set (enum / const)                     |
| CG405 | text that is not a valid date, date-time, duration, email or URI   |
| CG406 | text that does not match the required pattern                      |
| CG407 | a number, text length or list length out of range; repeated items  |
| CG408 | a value that matches none (or more than one) of the allowed forms  |
| CG409 | any other schema violation                                         |
| CG420 | a reference to an id that no item of the named section has        |
| CG421 | two items of one section share an id                               |
| CG430 | a schema file cannot be read                                       |
| CG431 | a schema is not a valid draft 2020-12 JSON Schema                  |
| CG432 | a `$ref` to a schema that is not shipped or given (no network)     |
| CG433 | a given schema's `$id` clashes with a shipped schema               |
"""

from __future__ import annotations

from engine.diagnostics import Diagnostic, DiagnosticError, Span

UNREADABLE = "CG301"
NOT_REGULAR = "CG302"
TOO_LARGE = "CG303"
EMPTY = "CG304"
BAD_UTF8 = "CG305"
BAD_ENCODING = "CG306"
NUL = "CG307"
LONE_SURROGATE = "CG308"
BAD_KEY_CHARACTER = "CG309"
YAML_LINE_BREAK = "CG310"
YAML_SYNTAX = "CG311"
JSON_SYNTAX = "CG312"
ANCHOR = "CG313"
MERGE_KEY = "CG314"
TAG = "CG315"
DUPLICATE_KEY = "CG316"
NON_STRING_KEY = "CG317"
MULTIPLE_DOCUMENTS = "CG318"
NOT_A_MAPPING = "CG319"
TOO_DEEP = "CG320"
STRING_TOO_LONG = "CG321"
NOT_A_NUMBER = "CG322"
INTEGER_RANGE = "CG323"
FLOAT_OVERFLOW = "CG324"
UNSUPPORTED_TYPE = "CG325"

EMPTY_BUNDLE = "CG330"
BUNDLE_TOO_LARGE = "CG339"
DUPLICATE_SECTION = "CG331"
SYMLINK_ESCAPE = "CG332"
RECORD_NOT_OBJECT = "CG333"
CSV_HEADER = "CG334"
CSV_CELL_COUNT = "CG335"
CSV_QUOTE = "CG336"
BAD_SECTION_NAME = "CG337"
CSV_CELL_TYPE = "CG338"

WRONG_TYPE = "CG401"
MISSING = "CG402"
UNKNOWN_FIELD = "CG403"
NOT_ALLOWED = "CG404"
BAD_FORMAT = "CG405"
PATTERN = "CG406"
OUT_OF_RANGE = "CG407"
NO_FORM_MATCHES = "CG408"
OTHER_VIOLATION = "CG409"
DANGLING_REFERENCE = "CG420"
DUPLICATE_ID = "CG421"
SCHEMA_UNREADABLE = "CG430"
SCHEMA_INVALID = "CG431"
SCHEMA_REF_REFUSED = "CG432"
SCHEMA_ID_CLASH = "CG433"


def refuse(
    code: str,
    message: str,
    file: str,
    line: int = 1,
    column: int = 1,
    *,
    hint: str | None = None,
    source_line: str | None = None,
) -> DiagnosticError:
    """One located diagnostic, ready to raise. Whole-file problems sit at line 1, column 1."""
    span = Span(file, line, column)
    return DiagnosticError([Diagnostic(code, message, span, hint=hint, source_line=source_line)])
