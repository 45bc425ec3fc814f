"""Projections of the care-plan model: a copy holding only the fields an allowlist names, every other field empty."""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Iterable
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")

__all__ = ["ProjectionError", "project"]


class ProjectionError(Exception):
    """The allowlist names a field that does not exist, or leaves out one that cannot be empty."""


def project(value: T, paths: Iterable[str]) -> T:
    """A copy of the dataclass instance `value` with only the fields that `paths` name.

    Paths are dotted field names from the root (`programme.dates`); a tuple field applies the rest of the path to
    each of its elements, and a path that stops at a field keeps that field whole. A field nobody listed, including
    one added to the model later, comes out empty (its default, None, or an empty projection of a nested record), so
    what a viewer receives is built from what they were granted, never by removing what is known to be sensitive.
    """
    tree = _tree(tuple(sorted(set(paths))))
    projected: T = _project(value, tree, "")
    return projected


def _tree(paths: tuple[str, ...]) -> dict[str, Any]:
    """{"programme": {"dates": True}, "contacts": True}: True keeps a field whole."""
    tree: dict[str, Any] = {}
    for path in paths:
        node = tree
        parts = path.split(".")
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if child is True:
                break  # a shorter path already keeps the whole field
            node = child
        else:
            node[parts[-1]] = True
    return tree


def _project(value: Any, tree: dict[str, Any], where: str) -> Any:
    if not dataclasses.is_dataclass(value) or isinstance(value, type):
        raise ProjectionError(f"{where or 'the root'} is not a record: paths cannot go inside it")
    cls = type(value)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = set(tree) - names
    if unknown:
        raise ProjectionError(f"{cls.__name__} has no field {sorted(unknown)[0]!r} (at {where or 'the root'})")
    kept: dict[str, Any] = {}
    for field in dataclasses.fields(cls):
        here = f"{where}.{field.name}" if where else field.name
        rule = tree.get(field.name)
        current = getattr(value, field.name)
        if rule is True:
            kept[field.name] = current
        elif rule is not None:
            kept[field.name] = _project_inside(current, rule, here)
        else:
            kept[field.name] = _empty(cls, field, current, here)
    return cls(**kept)


def _project_inside(current: Any, rule: dict[str, Any], where: str) -> Any:
    if current is None:
        return None
    if isinstance(current, tuple):
        return tuple(_project(element, rule, where) for element in current)
    return _project(current, rule, where)


def _empty(cls: type, field: dataclasses.Field[Any], current: Any, where: str) -> Any:
    """The value of a field nobody granted: its default, None, or a nested record with nothing in it."""
    if field.default is not dataclasses.MISSING:
        return field.default
    if field.default_factory is not dataclasses.MISSING:
        return field.default_factory()
    if _allows_none(cls, field.name):
        return None
    if dataclasses.is_dataclass(current) and not isinstance(current, type):
        return _project(current, {}, where)
    raise ProjectionError(f"{where} cannot be empty: grant it, or do not grant the record that holds it")


@cache
def _allows_none(cls: type, name: str) -> bool:
    hint = typing.get_type_hints(cls)[name]
    if hint is type(None):
        return True
    return typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in typing.get_args(hint)
