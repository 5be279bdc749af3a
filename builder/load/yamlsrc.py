"""YAML that remembers where each value came from.

PyYAML's safe loader parses the file (no Python objects are ever constructed from tags);
we turn its events into dicts and lists that carry the file:line:column of each key and
item, so that every later error can point at the line a user has to fix.
"""

from __future__ import annotations

from pathlib import Path
from types import GeneratorType
from typing import Any

import yaml

from builder.errors import Problem, ReportError, Source


def _pack(line: int, column: int) -> int:
    # A source as one int (line and column) instead of an object per key: a layout of
    # 100,000 rows has 300,000 keys, and their sources are read only to report a problem.
    return line << 16 | min(column, 0xFFFF)


def _unpack(file: str, at: int) -> Source:
    return Source(file, at >> 16, at & 0xFFFF)


class _Located:
    """The source of a located mapping or sequence, unpacked when asked for."""

    __slots__ = ()
    file: str
    at: int

    @property
    def source(self) -> Source:
        return _unpack(self.file, self.at)


class LocatedDict(_Located, dict):
    """A mapping with the source of the mapping itself and of each key."""

    __slots__ = ("file", "at", "key_at")

    def key_source(self, key: str) -> Source:
        return _unpack(self.file, self.key_at[list(self).index(key)])


class LocatedList(_Located, list):
    """A sequence with the source of the sequence and of each item."""

    __slots__ = ("file", "at", "item_at")

    def item_source(self, i: int) -> Source:
        return _unpack(self.file, self.item_at[i])


_PLAIN_TAGS = {None, "!", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}

# Real layouts nest a few levels (columns in a period in a group); deeper is refused before
# Python's recursion limit, or the schema checker's, is reached.
MAX_DEPTH = 64
# An alias shares its anchor's value, but every later walk (the schema checker converts the
# document, a message quotes a value) expands it: nested aliases in a few hundred bytes
# ("billion laughs") expand to billions of values. What aliases add is counted as the
# document is built (text counts one value per 100 characters) and refused past this many
# values or ten times what the file spells out, whichever is more: memory stays in
# proportion to the file's size, and a generated layout may still share a list per row.
MIN_ALIASED = 100_000


class _Builder:
    """Builds located values straight from the parser's events.

    PyYAML's own composer would first build a node per scalar (with two marks each): for a
    layout of 100,000 rows that tree alone was several hundred megabytes. From events, only
    the result is held. Scalars are still typed by the safe loader's resolver and
    constructors, so values are what yaml.safe_load gives, except dates (see _Loader).
    """

    def __init__(self, loader, path: Path, problems: list[Problem]):
        self.loader, self.file, self.problems = loader, str(path), problems
        self.anchors: dict[str, tuple[Any, int]] = {}  # anchor -> (value, its expanded size)
        self.size = 0  # values built so far, each alias counted as what it expands to
        self.aliased = 0  # of which added by aliases
        self.depth = 0

    def source(self, event) -> Source:
        return _unpack(self.file, self.at(event))

    def at(self, event) -> int:
        mark = event.start_mark
        return _pack(mark.line + 1, mark.column + 1)

    def value(self, event) -> Any:
        loader = self.loader
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                self.problems.append(
                    Problem(self.source(event), f"malformed YAML: found undefined alias {event.anchor}")
                )
                return None
            out, size = self.anchors[event.anchor]
            self.size += size
            self.aliased += size
            limit = max(MIN_ALIASED, 10 * (self.size - self.aliased))
            if self.aliased > limit:
                message = (
                    f"aliases (here *{event.anchor}) expand the file by more than {limit:,} values; "
                    "write the values out instead"
                )
                raise ReportError(Problem(self.source(event), message))
            return out
        start = self.size
        if isinstance(event, yaml.ScalarEvent):
            out = self.scalar(event)
            self.size += 1 + len(event.value) // 100
        elif event.tag not in _PLAIN_TAGS:
            # Scalars with such tags are refused by the safe constructors; collections here.
            self.problems.append(Problem(self.source(event), f"malformed YAML: the tag {event.tag} is not allowed"))
            self.skip(event)
            out = None
        elif isinstance(event, yaml.SequenceStartEvent):
            self.enter(event)
            out = LocatedList()
            out.file, out.at = self.file, self.at(event)
            item_at = []
            while not loader.check_event(yaml.SequenceEndEvent):
                item_event = loader.get_event()
                item_at.append(self.at(item_event))
                out.append(self.value(item_event))
            out.item_at = tuple(item_at)
            loader.get_event()
            self.depth -= 1
        else:
            self.enter(event)
            out = self.mapping(event)
            self.depth -= 1
        if not isinstance(event, yaml.ScalarEvent):
            self.size += 1
        if getattr(event, "anchor", None):
            self.anchors[event.anchor] = (out, self.size - start)
        return out

    def enter(self, event) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            message = f"the values nest more than {MAX_DEPTH} levels deep; a layout needs a few"
            raise ReportError(Problem(self.source(event), message))

    def mapping(self, event) -> LocatedDict:
        loader = self.loader
        out = LocatedDict()
        out.file, out.at = self.file, self.at(event)
        out.key_at = key_at = []  # a tuple once the mapping is complete
        while not loader.check_event(yaml.MappingEndEvent):
            key_event = loader.get_event()
            where = self.at(key_event)
            key = self.value(key_event)
            value = self.value(loader.get_event())
            if not isinstance(key, str):
                self.problems.append(Problem(_unpack(self.file, where), f"expected a text key, found {shown(key)}"))
            elif key in out:
                message = f"key '{key}' is given twice (first at line {out.key_source(key).line})"
                self.problems.append(Problem(_unpack(self.file, where), message))
            else:
                out[key] = value
                key_at.append(where)
        out.key_at = tuple(key_at)
        loader.get_event()
        return out

    def scalar(self, event) -> Any:
        loader = self.loader
        tag = event.tag
        if tag is None or tag == "!":
            tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        construct = loader.yaml_constructors.get(tag) or loader.yaml_constructors[None]  # None: refuse the tag
        out = construct(loader, node)
        if isinstance(out, GeneratorType):  # a collection's constructor on a scalar
            self.problems.append(Problem(self.source(event), f"malformed YAML: the tag {tag} is not allowed here"))
            return None
        return out

    def skip(self, event) -> None:
        """Consume a refused collection's events."""
        depth = 1
        while depth:
            inner = self.loader.get_event()
            if isinstance(inner, yaml.SequenceStartEvent | yaml.MappingStartEvent):
                depth += 1
            elif isinstance(inner, yaml.SequenceEndEvent | yaml.MappingEndEvent):
                depth -= 1


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """The safe loader (libyaml's parser when PyYAML has it: several times faster), with
    dates left as text. A statement's labels and headers are text however they look
    ("2004-09-30" as a column header); the one real date, the report's, is read from its
    text where it is used; and the schema checker takes only JSON's types."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}


def _document(loader, path: Path, problems: list[Problem]) -> Any:
    loader.get_event()  # stream start
    if loader.check_event(yaml.StreamEndEvent):
        raise ReportError(Problem(Source(str(path), 1), "the file is empty"))
    loader.get_event()  # document start
    builder = _Builder(loader, path, problems)
    data = builder.value(loader.get_event())
    loader.get_event()  # document end
    if not loader.check_event(yaml.StreamEndEvent):
        where = builder.source(loader.peek_event())
        raise ReportError(Problem(where, "malformed YAML: expected a single document in the file"))
    return data


def load_yaml(path: Path) -> Any:
    """Parse one YAML file safely; raise ReportError naming file, line and column."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ReportError(Problem(Source(str(path)), "file not found")) from None
    except IsADirectoryError:
        raise ReportError(Problem(Source(str(path)), "is a folder; expected a YAML file")) from None
    except OSError as exc:
        raise ReportError(Problem(Source(str(path)), f"cannot read the file: {exc.strerror or exc}")) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ReportError(not_utf8(str(path), raw, exc)) from None
    loader = _Loader(text)
    problems: list[Problem] = []
    try:
        data = _document(loader, path, problems)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        what = exc.problem or exc.context or "malformed YAML"
        raise ReportError(Problem(Source(str(path), line, col), f"malformed YAML: {what}")) from None
    except yaml.YAMLError as exc:
        raise ReportError(Problem(Source(str(path)), f"malformed YAML: {exc}")) from None
    finally:
        loader.dispose()
    if problems:
        raise ReportError(problems)
    return data


def not_utf8(file: str, raw: bytes, exc: UnicodeDecodeError) -> Problem:
    """The line and column of the first byte that is not UTF-8, as a user can find it."""
    line_start = raw.rfind(b"\n", 0, exc.start) + 1
    line = raw.count(b"\n", 0, exc.start) + 1
    column = len(raw[line_start : exc.start].decode("utf-8")) + 1  # the bytes before it decode
    message = f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8"
    return Problem(Source(file, line, column), message)


def shown(value: Any, limit: int = 60) -> str:
    """A value as a message quotes it: a collection by its kind (it may hold a whole file,
    or an alias expanded), text cut short."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


def source_at(doc: Any, path: list[Any] | tuple[Any, ...]) -> Source:
    """The source of the value at `path` (keys and indexes) inside a loaded document."""
    node, where = doc, getattr(doc, "source", None)
    for step in path:
        if isinstance(node, LocatedDict) and step in node:
            where = node.key_source(step)
            node = node[step]
        elif isinstance(node, LocatedList) and isinstance(step, int) and step < len(node):
            where = node.item_source(step)
            node = node[step]
        else:
            break
    return where
