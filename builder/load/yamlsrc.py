"""YAML that remembers where each value came from.

PyYAML's safe loader builds the node tree (no Python objects are ever constructed);
we turn nodes into dicts and lists that carry the file:line:column of each key and item,
so that every later error can point at the line a user has to fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from builder.errors import Problem, ReportError, Source


class LocatedDict(dict):
    """A mapping with the source of the mapping itself and of each key."""

    source: Source
    key_sources: dict[str, Source]


class LocatedList(list):
    """A sequence with the source of the sequence and of each item."""

    source: Source
    item_sources: list[Source]


def _source(path: Path, node: yaml.Node) -> Source:
    mark = node.start_mark
    return Source(str(path), mark.line + 1, mark.column + 1)


_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


def _convert(loader: yaml.SafeLoader, path: Path, node: yaml.Node, problems: list[Problem]) -> Any:
    if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_TAGS:
        # Scalars with such tags are refused by the safe constructor; collections we check here.
        problems.append(Problem(_source(path, node), f"malformed YAML: the tag {node.tag} is not allowed"))
        return None
    if isinstance(node, yaml.MappingNode):
        out = LocatedDict()
        out.source = _source(path, node)
        out.key_sources = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            where = _source(path, key_node)
            if not isinstance(key, str):
                problems.append(Problem(where, f"expected a text key, found {key!r}"))
                continue
            if key in out:
                first = out.key_sources[key]
                problems.append(Problem(where, f"key '{key}' is given twice (first at line {first.line})"))
                continue
            out[key] = _convert(loader, path, value_node, problems)
            out.key_sources[key] = where
        return out
    if isinstance(node, yaml.SequenceNode):
        items = LocatedList()
        items.source = _source(path, node)
        items.item_sources = []
        for item in node.value:
            items.append(_convert(loader, path, item, problems))
            items.item_sources.append(_source(path, item))
        return items
    return loader.construct_object(node, deep=True)


def load_yaml(path: Path) -> Any:
    """Parse one YAML file safely; raise ReportError naming file, line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReportError(Problem(Source(str(path)), "file not found")) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ReportError(Problem(Source(str(path)), f"cannot read the file: {exc}")) from None
    # libyaml's parser when PyYAML has it (several times faster); the same safe constructor either way.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(text)
    problems: list[Problem] = []
    try:
        node = loader.get_single_node()
        if node is None:
            raise ReportError(Problem(Source(str(path), 1), "the file is empty"))
        data = _convert(loader, path, node, problems)
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


def source_at(doc: Any, path: list[Any] | tuple[Any, ...]) -> Source:
    """The source of the value at `path` (keys and indexes) inside a loaded document."""
    node, where = doc, getattr(doc, "source", None)
    for step in path:
        if isinstance(node, LocatedDict) and step in node:
            where = node.key_sources.get(step, where)
            node = node[step]
        elif isinstance(node, LocatedList) and isinstance(step, int) and step < len(node):
            where = node.item_sources[step]
            node = node[step]
        else:
            break
    return where
