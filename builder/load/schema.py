"""The shape of report and layout files, as JSON Schema, and friendly messages for it.

jsonschema-rs does the checking (the Python jsonschema package took longer to import than
the rest of the builder to run); this module only turns its errors into Problems that name
the line and, for an unknown key, suggest the closest valid one.
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import Any

import jsonschema_rs

from builder.charts.spec import CHARTS
from builder.errors import Problem, suggest
from builder.kinds import COLUMN_KINDS, cell_keys, column_keys, row_keys
from builder.kinds.base import ID
from builder.load.yamlsrc import shown, source_at
from builder.narrative import FORMATS_SCHEMA

TEXT = {"type": "string"}
TEXT_LINES = {"oneOf": [TEXT, {"type": "array", "items": TEXT}]}
NUMBER_FORMAT = {"type": "string", "minLength": 1, "maxLength": 255}
KINDS = {"enum": list(COLUMN_KINDS)}

REPORT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["company", "periods", "layouts", "data"],
    "properties": {
        "title": TEXT,
        "subject": TEXT,
        "company": TEXT,
        "date": {},
        "periods": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": ID,
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "required": ["key", "label"],
                "properties": {
                    "key": {"type": ["string", "integer"]},
                    "label": TEXT,
                    "sum_of": {"type": "array", "minItems": 2, "items": ID},
                },
            },
        },
        "inputs": {
            "type": "object",
            "propertyNames": ID,
            "additionalProperties": {
                "type": "object",
                "additionalProperties": False,
                "required": ["value"],
                "properties": {
                    "value": {"type": ["number", "string"]},
                    "label": TEXT,
                    "format": NUMBER_FORMAT,
                },
            },
        },
        "layouts": {"type": "array", "minItems": 1, "items": TEXT},
        "key_totals": {"type": "array", "items": ID},
        "formats": FORMATS_SCHEMA,  # named formats for live narrative: builder/narrative.py
        "data": TEXT,
        # Workbooks published for earlier quarters (built by this tool): the comparatives must equal them.
        "published": {"type": "array", "items": {"type": "string", "minLength": 1}},
        # Figures that differ from a published workbook on purpose, each with its note.
        "recast": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["line", "period", "note"],
                "properties": {
                    "line": ID,
                    "period": {"type": ["string", "integer"]},
                    "note": {"type": "string", "minLength": 1},
                },
            },
        },
        "reviewer_conventions": {"type": "boolean"},
        # How `roll` moves period keys on (builder.cycle.keys): a quarter's key, and year-to-date keys.
        "roll": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "key": TEXT,
                "half_year": TEXT,
                "nine_months": TEXT,
                "full_year": TEXT,
            },
        },
    },
}

LEAF_COLUMN = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "kind"],
    "properties": {
        "id": ID,
        "kind": KINDS,
        "header": TEXT,
        "period": ID,
        **column_keys(),  # what each kind takes: builder/kinds
        "number_format": NUMBER_FORMAT,
        "width": {"type": "number", "exclusiveMinimum": 0, "maximum": 255},
        "rounding": {"enum": ["plain", "foot"]},
    },
}
PERIOD_BLOCK = {
    "type": "object",
    "additionalProperties": False,
    "required": ["period", "columns"],
    # A group or a period block is taken here only to be refused with a reason
    # (builder.load.report), rather than reported as a block with unknown keys.
    "properties": {
        "period": ID,
        "header": TEXT,
        "columns": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/column_entry"}},
    },
}
# Groups nest: a group's columns may be leaves, period blocks or groups, to any depth
# (each level prints its own merged header row).
GROUP_BLOCK = {
    "type": "object",
    "additionalProperties": False,
    "required": ["group", "columns"],
    "properties": {
        "group": TEXT,
        "columns": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/column_entry"}},
    },
}

ROW = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "id": ID,
        "label": TEXT,
        **row_keys(),  # heading, total, formula: builder/kinds/rows.py
        "style": {"enum": ["line", "subtotal", "total", "grand_total"]},
        "bold": {"type": "boolean"},
        "indent": {"type": "integer", "minimum": 0, "maximum": 15},
        "show": {"type": "array", "minItems": 1, "items": KINDS},
        "number_format": NUMBER_FORMAT,
        "missing": {"enum": ["error", "blank"]},
        "percent_base": ID,
        "input_periods": {"type": "array", "minItems": 1, "items": ID},
        "plug": {"type": "boolean"},
        "hidden": {"type": "boolean"},
        # Another kind for this row's cell in some columns: {chg: difference} shows a margin's points.
        "kind": {"type": "object", "minProperties": 1, "propertyNames": ID, "additionalProperties": KINDS},
        **cell_keys(),  # a column kind's keys a row gives for its own cells: builder/kinds
    },
}

LAYOUT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["sheet", "columns", "rows"],
    "$defs": {
        "column_entry": {"oneOf": [LEAF_COLUMN, {"$ref": "#/$defs/period"}, {"$ref": "#/$defs/group"}]},
        "period": PERIOD_BLOCK,
        "group": GROUP_BLOCK,
    },
    "properties": {
        "sheet": TEXT,
        "unaudited": {"type": "boolean"},
        "page_header": {"enum": ["all", "first"]},
        "title": TEXT_LINES,
        "subtitle": TEXT_LINES,
        "number_format": NUMBER_FORMAT,
        "percent_format": NUMBER_FORMAT,
        "rounding": {"enum": ["plain", "foot"]},
        "scale": {"type": "number", "exclusiveMinimum": 0},
        "columns": {
            "type": "array",
            "minItems": 1,
            "items": {"$ref": "#/$defs/column_entry"},
        },
        "rows": {"type": "array", "minItems": 1, "items": ROW},
        "notes": TEXT_LINES,
        # Rounding units a publisher placed by judgement in a footed column (builder.footing).
        "adjust": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["row", "column", "units", "note"],
                "properties": {"row": ID, "column": ID, "units": {"type": "number"}, "note": {**TEXT, "minLength": 1}},
            },
        },
        "charts": CHARTS,  # builder/charts
        "checks": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "left", "right"],
                "properties": {
                    "name": TEXT,
                    "left": {"type": ["string", "number"]},
                    "right": {"type": ["string", "number"]},
                    "tolerance": {"type": "number", "minimum": 0},
                    "periods": {"type": "array", "minItems": 1, "items": ID},
                },
            },
        },
    },
}


Kind = jsonschema_rs.ValidationErrorKind


def _cost(branch: list[jsonschema_rs.ValidationError]) -> tuple[int, int, int, int]:
    """How far a oneOf branch is from what the user wrote. The branch missing the fewest
    required keys is the one meant (a group with a typo is a group, not a column missing
    its id; a wrong branch may get deeper by reading the group's columns as its own); then
    the one that got deeper into the value; then the one with fewer unknown keys."""
    missing = sum(isinstance(e.kind, Kind.Required) for e in branch)
    depth = max(_depth(e) for e in branch)
    unknown = sum(len(e.kind.unexpected) for e in branch if isinstance(e.kind, Kind.AdditionalProperties))
    return missing, -depth, unknown, len(branch)


def _depth(error: jsonschema_rs.ValidationError) -> int:
    """How deep into the value an error, or any error of its branches, got."""
    if isinstance(error.kind, Kind.OneOfNotValid | Kind.AnyOf):
        return max((_depth(e) for branch in error.kind.context for e in branch), default=len(error.instance_path))
    return len(error.instance_path)


def _pick(error: jsonschema_rs.ValidationError) -> list[jsonschema_rs.ValidationError]:
    """For oneOf failures, the errors of the branch the user meant, not 'is not valid under any'."""
    if not isinstance(error.kind, Kind.OneOfNotValid | Kind.AnyOf):
        return [error]
    branches = [branch for branch in error.kind.context if branch]
    if not branches:
        return [error]
    branch = min(branches, key=_cost)
    # An unknown key or a wrong value says more than the key found missing because of it.
    errors = [e for e in branch if not isinstance(e.kind, Kind.Required)] or branch
    return [picked for e in errors for picked in _pick(e)]


def _at(node: Any, path: list[str | int]) -> Any:
    """The value at `path` (keys and indexes) inside a document or a schema."""
    for step in path:
        node = node[step]
    return node


def _found(doc: Any, path: list[Any], error: jsonschema_rs.ValidationError) -> Any:
    """The value as the user wrote it (the error's copy has NaN and infinity as null)."""
    try:
        return _at(doc, path)
    except (KeyError, IndexError, TypeError):
        return error.instance


def _key(key: str) -> str:
    """An unknown key as a message names it: quoted when it looks like a key someone typed,
    described otherwise (a file that is not ours, such as /etc/shadow, parses as one key)."""
    return repr(key) if _PLAIN_KEY.match(key) else "(not shown: it is not a name)"


_PLAIN_KEY = re.compile(r"^[\w .-]{1,40}$")


def _messages(doc: Any, root: dict, error: jsonschema_rs.ValidationError) -> list[tuple[list[Any], str]]:
    if isinstance(error.kind, Kind.AdditionalProperties):
        return _message(doc, root, error)
    return [_message(doc, root, error)]


def _message(doc: Any, root: dict, error: jsonschema_rs.ValidationError) -> Any:
    path = list(error.instance_path)
    where = ".".join(str(p) for p in path) or "the file"
    kind = error.kind
    if isinstance(kind, Kind.AdditionalProperties):
        allowed = sorted(_at(root, error.schema_path[:-1]).get("properties", {}))
        out = []
        for key in sorted(kind.unexpected):
            hint = suggest(key, allowed) or f"; expected one of: {', '.join(allowed)}"
            out.append((path + [key], f"unknown key {_key(key)} in {where}{hint}"))
        return out
    if isinstance(kind, Kind.Required):
        return path, f"{where}: {kind.property!r} is required"
    if isinstance(kind, Kind.Enum):
        options = ", ".join(repr(o) for o in kind.options)
        return path, f"{where}: {shown(_found(doc, path, error))} is not one of {options}"
    if isinstance(kind, Kind.Type):
        found = _found(doc, path, error)
        note = ""
        if isinstance(found, float) and not math.isfinite(found) and {"number", "integer"} & set(kind.types):
            note = " (a number must be finite)"
        return path, f"{where}: expected {' or '.join(kind.types)}, found {shown(found)}{note}"
    if isinstance(kind, Kind.MinItems):
        return path, f"{where}: expected at least {kind.limit} item(s), found {len(_found(doc, path, error))}"
    if isinstance(kind, Kind.PropertyNames):  # a key of a mapping of names (periods, inputs)
        return path, f"{where}: {shown(kind.error.instance)} is not a valid name{_NAME_RULE}"
    if isinstance(kind, Kind.Pattern):
        return path, f"{where}: {shown(_found(doc, path, error))} is not a valid name{_NAME_RULE}"
    found = _found(doc, path, error)
    if isinstance(kind, Kind.MinLength | Kind.MaxLength):
        most = "at most" if isinstance(kind, Kind.MaxLength) else "at least"
        return path, f"{where}: expected {most} {kind.limit} character(s), found {len(found)}"
    if isinstance(kind, Kind.Minimum | Kind.Maximum | Kind.ExclusiveMinimum):
        bound = {Kind.Minimum: "at least", Kind.Maximum: "at most", Kind.ExclusiveMinimum: "above"}[type(kind)]
        return path, f"{where}: expected a number {bound} {kind.limit}, found {shown(found)}"
    if isinstance(kind, Kind.MinProperties):
        return path, f"{where}: expected at least {kind.limit} entr{'y' if kind.limit == 1 else 'ies'}"
    # Other kinds are not in these schemas; the library's message quotes the value, cut short.
    return path, f"{where}: {shown(error.message, 200)}"


_NAME_RULE = " (letters, digits and _; not starting with a digit)"


@cache
def _validator(name: str) -> jsonschema_rs.Validator:
    return jsonschema_rs.Draft202012Validator(SCHEMAS[name])


SCHEMAS = {"report": REPORT, "layout": LAYOUT}


def check(doc: Any, what: str) -> list[Problem]:
    """Validate a loaded YAML document against the `what` ("report", "layout") schema;
    one Problem per error, each with its line."""
    if not isinstance(doc, dict):
        return [Problem(source_at(doc, []), f"a {what} file must be a mapping of keys to values")]
    schema = SCHEMAS[what]
    if not set(doc) & set(schema["properties"]):
        # Not one of our files at all: its keys are not listed, they may be anyone's.
        required = ", ".join(schema["required"])
        return [Problem(source_at(doc, []), f"a {what} file needs the keys {required}; this file has none of them")]
    problems = []
    for error in sorted(_validator(what).iter_errors(doc), key=lambda e: list(map(str, e.instance_path))):
        for picked in _pick(error):
            for path, message in _messages(doc, schema, picked):
                problems.append(Problem(source_at(doc, path), message))
    return problems
