"""The shape of report and layout files, as JSON Schema, and friendly messages for it.

jsonschema does the checking; this module only turns its errors into Problems that
name the line and, for an unknown key, suggest the closest valid one.
"""

from __future__ import annotations

import difflib
from typing import Any

import jsonschema

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


def _pick(error: jsonschema.ValidationError) -> jsonschema.ValidationError:
    """For oneOf failures, report the branch that got furthest, not 'is not valid under any'."""
    if error.validator in ("oneOf", "anyOf") and error.context:
        deepest = max(error.context, key=lambda e: (len(e.absolute_path), -len(e.context or [])))
        best = [e for e in error.context if len(e.absolute_path) == len(deepest.absolute_path)]
        # Prefer a branch that agrees on the shape (its keys are known) over a type mismatch.
        for e in best:
            if e.validator != "required":
                return _pick(e)
        return _pick(best[0])
    return error


def _message(error: jsonschema.ValidationError) -> tuple[list[Any], str]:
    path = list(error.absolute_path)
    where = ".".join(str(p) for p in path) or "the file"
    if error.validator == "additionalProperties":
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        key = extra[0]
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else f"; expected one of: {', '.join(allowed)}"
        return path + [key], f"unknown key '{key}' in {where}{hint}"
    if error.validator == "required":
        return path, f"{where}: {error.message.replace(' is a required property', '')} is required"
    if error.validator == "enum":
        options = ", ".join(repr(o) for o in error.validator_value)
        return path, f"{where}: {error.instance!r} is not one of {options}"
    if error.validator == "type":
        return path, f"{where}: expected {error.validator_value}, found {error.instance!r}"
    if error.validator == "pattern":
        return (
            path,
            f"{where}: {error.instance!r} is not a valid name (letters, digits and _; not starting with a digit)",
        )
    return path, f"{where}: {error.message}"


def check(doc: Any, schema: dict, what: str) -> list[Problem]:
    """Validate a loaded YAML document; one Problem per error, each with its line."""
    if not isinstance(doc, dict):
        return [Problem(source_at(doc, []), f"a {what} file must be a mapping of keys to values")]
    validator = jsonschema.Draft202012Validator(schema)
    problems = []
    for error in sorted(validator.iter_errors(doc), key=lambda e: list(map(str, e.absolute_path))):
        path, message = _message(_pick(error))
        problems.append(Problem(source_at(doc, path), message))
    return problems
