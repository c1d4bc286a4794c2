"""YAML reading that keeps the line and column of every key and item.

Curated files are read into :class:`PosDict` / :class:`PosList`, which behave like ``dict`` and
``list`` and remember where each key or item stands, so that a validation error can name the
file, line and column. Anchors and aliases are refused (they are never needed in curated data and
are the vehicle of "billion laughs" YAML bombs); duplicate keys are refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from graph.core.errors import DataError, Location

try:  # the C loader is much faster; it is optional
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

_SCALAR_TAGS_AS_TEXT = {"tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:str", "tag:yaml.org,2002:binary"}


class PosDict(dict[str, Any]):
    """A dict that knows the (line, column) of itself and of each of its keys."""

    file: str = ""
    line: int = 0
    column: int = 0
    key_pos: dict[str, tuple[int, int]]

    def loc(self, key: str | None = None, record: str | None = None) -> Location:
        """Return the location of ``key`` (or of the mapping itself)."""
        line, col = self.key_pos.get(key, (self.line, self.column)) if key else (self.line, self.column)
        return Location(self.file, line, col, record, key)


class PosList(list[Any]):
    """A list that knows the (line, column) of itself and of each item."""

    file: str = ""
    line: int = 0
    column: int = 0
    item_pos: list[tuple[int, int]]


def _error(file: str, node: yaml.Node, message: str) -> DataError:
    mark = node.start_mark
    return DataError(message, Location(file, mark.line + 1, mark.column + 1))


def _convert(node: yaml.Node, file: str, constructor: yaml.constructor.SafeConstructor, seen: set[int]) -> Any:
    # An alias makes the composer hand out the same node object twice: refuse it on sight,
    # before anything is expanded.
    if id(node) in seen:
        raise _error(file, node, "YAML aliases ('*name') are not allowed in curated data")
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        out = PosDict()
        out.file, out.line, out.column = file, node.start_mark.line + 1, node.start_mark.column + 1
        out.key_pos = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _error(file, key_node, "YAML merge keys ('<<') are not allowed in curated data")
            key = _convert(key_node, file, constructor, seen)
            if not isinstance(key, str):
                key = str(key)
            if key in out:
                raise _error(file, key_node, f"duplicate key {key!r}")
            out[key] = _convert(value_node, file, constructor, seen)
            out.key_pos[key] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = PosList()
        items.file, items.line, items.column = file, node.start_mark.line + 1, node.start_mark.column + 1
        items.item_pos = []
        for item in node.value:
            items.append(_convert(item, file, constructor, seen))
            items.item_pos.append((item.start_mark.line + 1, item.start_mark.column + 1))
        return items
    assert isinstance(node, yaml.ScalarNode)
    if node.tag in _SCALAR_TAGS_AS_TEXT:
        return str(node.value)
    return constructor.construct_object(node)


def load_yaml(path: Path, display_name: str | None = None) -> Any:
    """Read one YAML file into PosDict/PosList; raise DataError naming line and column."""
    name = display_name or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataError(f"not UTF-8 text ({exc.reason} at byte {exc.start})", Location(name)) from None
    except OSError as exc:
        raise DataError(f"cannot read file: {exc.strerror}", Location(name)) from None
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str) -> Any:
    """Parse YAML ``text`` (from the file called ``name``) into PosDict/PosList."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        constructor = yaml.constructor.SafeConstructor()
        return _convert(node, name, constructor, set())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        col = mark.column + 1 if mark else None
        raise DataError(f"YAML syntax error: {exc.problem or exc.context}", Location(name, line, col)) from None
    except yaml.YAMLError as exc:
        raise DataError(f"YAML error: {exc}", Location(name)) from None
    finally:
        loader.dispose()
