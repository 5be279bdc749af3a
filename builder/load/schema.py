"""The shape of report and layout files, as JSON Schema, and friendly messages for it.

jsonschema-rs does the checking (the Python jsonschema package took longer to import than
the rest of the builder to run); this module only turns its errors into Problems that name
the line and, for an unknown key, suggest the closest valid one.
"""

from __future__ import annotations

import difflib
import math
from functools import cache
from typing import Any

import jsonschema_rs

from builder.errors import Problem
from builder.load.yamlsrc import source_at

ID = {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"}
TEXT = {"type": "string"}
TEXT_LINES = {"oneOf": [TEXT, {"type": "array", "items": TEXT}]}
NUMBER_FORMAT = {"type": "string", "minLength": 1, "maxLength": 255}
ZERO_POLICY = {"enum": ["n.m.", "blank"]}

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
        "data": TEXT,
    },
}

LEAF_COLUMN = {
    "type": "object",
    "additionalProperties": False,
    "required": ["id", "kind"],
    "properties": {
        "id": ID,
        "kind": {"enum": ["amount", "convert", "percent_of", "change"]},
        "header": TEXT,
        "period": ID,
        "rate": ID,
        "base": ID,
        "from": ID,
        "to": ID,
        "negative_base": {"enum": ["signed", "abs", "n.m."]},
        "zero_base": ZERO_POLICY,
        "number_format": NUMBER_FORMAT,
        "width": {"type": "number", "exclusiveMinimum": 0, "maximum": 255},
        "rounding": {"enum": ["plain", "foot"]},
    },
}
PERIOD_BLOCK = {
    "type": "object",
    "additionalProperties": False,
    "required": ["period", "columns"],
    "properties": {"period": ID, "header": TEXT, "columns": {"type": "array", "minItems": 1, "items": LEAF_COLUMN}},
}
GROUP_BLOCK = {
    "type": "object",
    "additionalProperties": False,
    "required": ["group", "columns"],
    "properties": {
        "group": TEXT,
        "columns": {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/column_or_period"}},
    },
}

ROW = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "id": ID,
        "label": TEXT,
        "heading": TEXT,
        "total": {
            "type": "array",
            "minItems": 1,
            "items": {"type": "string", "pattern": r"^[-+]?\s*[A-Za-z_][A-Za-z0-9_]*$"},
        },
        "formula": TEXT,
        "style": {"enum": ["line", "subtotal", "total", "grand_total"]},
        "bold": {"type": "boolean"},
        "indent": {"type": "integer", "minimum": 0, "maximum": 15},
        "show": {"type": "array", "minItems": 1, "items": {"enum": ["amount", "convert", "percent_of", "change"]}},
        "number_format": NUMBER_FORMAT,
        "missing": {"enum": ["error", "blank"]},
        "percent_base": ID,
        "input_periods": {"type": "array", "minItems": 1, "items": ID},
        "plug": {"type": "boolean"},
    },
}

LAYOUT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["sheet", "columns", "rows"],
    "$defs": {
        "column_or_period": {"oneOf": [LEAF_COLUMN, PERIOD_BLOCK]},
    },
    "properties": {
        "sheet": TEXT,
        "unaudited": {"type": "boolean"},
        "title": TEXT_LINES,
        "subtitle": TEXT_LINES,
        "number_format": NUMBER_FORMAT,
        "percent_format": NUMBER_FORMAT,
        "rounding": {"enum": ["plain", "foot"]},
        "scale": {"type": "number", "exclusiveMinimum": 0},
        "columns": {
            "type": "array",
            "minItems": 1,
            "items": {"oneOf": [LEAF_COLUMN, PERIOD_BLOCK, GROUP_BLOCK]},
        },
        "rows": {"type": "array", "minItems": 1, "items": ROW},
        "notes": TEXT_LINES,
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


def _branches(error: jsonschema_rs.ValidationError) -> list[jsonschema_rs.ValidationError]:
    """The errors of every branch of a failed oneOf/anyOf, else none."""
    if isinstance(error.kind, Kind.OneOfNotValid | Kind.AnyOf):
        return [e for branch in error.kind.context for e in branch]
    return []


def _pick(error: jsonschema_rs.ValidationError) -> jsonschema_rs.ValidationError:
    """For oneOf failures, report the branch that got furthest, not 'is not valid under any'."""
    context = _branches(error)
    if context:
        deepest = max(context, key=lambda e: (len(e.instance_path), -len(_branches(e))))
        best = [e for e in context if len(e.instance_path) == len(deepest.instance_path)]
        # Prefer a branch that agrees on the shape (its keys are known) over a type mismatch.
        for e in best:
            if not isinstance(e.kind, Kind.Required):
                return _pick(e)
        return _pick(best[0])
    return error


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


def _message(doc: Any, root: dict, error: jsonschema_rs.ValidationError) -> tuple[list[Any], str]:
    path = list(error.instance_path)
    where = ".".join(str(p) for p in path) or "the file"
    kind = error.kind
    if isinstance(kind, Kind.AdditionalProperties):
        allowed = sorted(_at(root, error.schema_path[:-1]).get("properties", {}))
        key = sorted(kind.unexpected)[0]
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else f"; expected one of: {', '.join(allowed)}"
        return path + [key], f"unknown key '{key}' in {where}{hint}"
    if isinstance(kind, Kind.Required):
        return path, f"{where}: {kind.property!r} is required"
    if isinstance(kind, Kind.Enum):
        options = ", ".join(repr(o) for o in kind.options)
        return path, f"{where}: {_found(doc, path, error)!r} is not one of {options}"
    if isinstance(kind, Kind.Type):
        found = _found(doc, path, error)
        note = ""
        if isinstance(found, float) and not math.isfinite(found) and {"number", "integer"} & set(kind.types):
            note = " (a number must be finite)"
        return path, f"{where}: expected {' or '.join(kind.types)}, found {found!r}{note}"
    if isinstance(kind, Kind.MinItems):
        return path, f"{where}: expected at least {kind.limit} item(s), found {len(_found(doc, path, error))}"
    if isinstance(kind, Kind.PropertyNames):  # a key of a mapping of names (periods, inputs)
        return path, f"{where}: {kind.error.instance!r} is not a valid name{_NAME_RULE}"
    if isinstance(kind, Kind.Pattern):
        return path, f"{where}: {_found(doc, path, error)!r} is not a valid name{_NAME_RULE}"
    return path, f"{where}: {error.message}"


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
    problems = []
    for error in sorted(_validator(what).iter_errors(doc), key=lambda e: list(map(str, e.instance_path))):
        path, message = _message(doc, SCHEMAS[what], _pick(error))
        problems.append(Problem(source_at(doc, path), message))
    return problems
