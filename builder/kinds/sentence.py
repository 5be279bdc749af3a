"""A sentence of live narrative: a row of text quoting figures, wrapped in its cell."""

from __future__ import annotations

import string
from typing import Any

from builder.errors import Problem, Source
from builder.kinds.rows import Quote
from builder.spec import Row


class Sentence(Quote):
    """`sentence: "Revenue totaled JPY {total_revenues:millions} million, ..."`: quoted as a
    `text:` row is (the resolver's `template`), with the fields builder.narrative reads
    (`row[period]`, `row.column`, `period.key`, formats named in report.yaml); its cell wraps."""

    name = "sentence"
    key = "sentence"
    keys = {"sentence": {"type": "string", "minLength": 1}}
    wraps = True

    def variant(self, item: Any) -> Sentence:
        return self

    def fields(self, item: Any, where: Source, problems: list[Problem]) -> dict | None:
        return {"text": item["sentence"]}

    def refs(self, row: Row) -> list[str]:
        from builder.narrative import parse_field

        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(row.text or "") if f]
        except ValueError:  # a stray brace: validate.quoting_rows reports it
            return []
        return [parsed.name for parsed in map(parse_field, fields) if parsed is not None]
