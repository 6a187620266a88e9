"""Users' tables: the columns of the tables users make, answered by one operation whose path names the table.

Azurite's Table service (as NocoDB, Baserow or PostgREST) answers ``POST /{account}/{table}`` with the row
it inserted, and ``GET /{account}/{table}()`` with the table's rows: every row of a table holds that
table's columns, and each table has its own. Learned as one operation, the union of every table's columns
is no resource's fields: ``Value``, a number in one user's table and text in another's, failed the next
sample's rows (25 of 1,218 answers), and its type "changed" in the drift gate on an unchanged API.

What tells them apart is the path. Each skeleton key of an operation (a table: ``/fieldlabs/AuditLog``)
answers, in most of its objects at a position, the same names (render.features' core paths); the keys
share a few (``PartitionKey``, ``RowKey``, ``Timestamp``) and each holds its own others. Where
``TABLES_MIN`` keys hold sets of their own, ``COLUMNS_MIN`` names in all and none more than
``MAP_MAX_FILL`` of them, those names are users' columns: the position keeps the fields every table
holds, and the columns go to the keys beyond them (``additionalProperties``). A resource whose objects
differ from one to the next (a pet's ``breed`` or ``indoor``) differs within a key, not key by key.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Final

from specbuild.learn.builder import OperationState
from specbuild.learn.paths.templater import Features
from specbuild.learn.rules import MAP_MAX_FILL
from specbuild.learn.schema import Shape

TABLES_MIN: Final = 3    # keys (tables) each answering columns of its own
ROWS_MIN: Final = 3      # distinct requests a key's body answered, to be a table's rows
COLUMNS_MIN: Final = 8   # columns in all, beyond the names every table answers

# (template path, method) -> position (``""``: the body; ``[]``, ``value[]``: its list's items) -> columns
Columns = Mapping[tuple[str, str], Mapping[str, frozenset[str]]]


def users_columns(members: Mapping[tuple[str, str], Sequence[str]], feats: Mapping[str, Features],
                  rows: Callable[[str, str], int]) -> Columns:
    """Per operation (its template's path and method -> its skeleton keys), the positions of its answers
    that hold users' columns, and those columns (module doc). ``rows``: the distinct requests a key's
    method was answered for (a table's body position needs ROWS_MIN: one configmap read again and again
    is one thing, whose optional fields are its own, not a table's columns; a list's items are rows)."""
    out: dict[tuple[str, str], dict[str, frozenset[str]]] = {}
    for (path, method), keys in members.items():
        if len(keys) < TABLES_MIN:  # most operations: one key
            continue
        answers = {key: _answered(feats.get(key), method) for key in keys}
        if len(set(answers.values())) < TABLES_MIN:  # a resource under its ids: the keys answer alike
            continue
        by_position: dict[str, list[frozenset[str]]] = {}
        for key, held in answers.items():
            for position, names in _positions(held).items():
                if position or rows(key, method) >= ROWS_MIN:
                    by_position.setdefault(position, []).append(names)
        columns = {position: found for position, sets in by_position.items() if (found := _columns(sets))}
        if columns:
            out[(path, method)] = columns
    return out


def _answered(found: Features | None, method: str) -> frozenset[str]:
    """The core paths of a key's answers to ``method`` (none: empty)."""
    held = found.calls.get(method) if found is not None else None
    return held or frozenset()


def _positions(paths: Iterable[str]) -> dict[str, frozenset[str]]:
    """Core paths as the names they hold at the body (``""``) and at its lists' items (``value[]``): a
    column is a name there, never a path below one (``data.env``: a key of a map inside the thing)."""
    out: dict[str, set[str]] = {}
    for path in paths:
        at = _position_of(path)
        if at is not None:
            out.setdefault(at[0], set()).add(at[1])
    return {position: frozenset(names) for position, names in out.items()}


@lru_cache(maxsize=1 << 16)
def _position_of(path: str) -> tuple[str, str] | None:
    """(position, name) of a core path at the body or its list's items; None below (the keys of a large
    API's operations hold a few thousand texts, each read at every key: decided once)."""
    if "." not in path:
        return None if "[]" in path else ("", path)
    position, dot, name = path.partition("[].")
    if not dot or "." in position or "[]" in position or "." in name or "[]" in name:
        return None
    return position + "[]", name


def _columns(sets: list[frozenset[str]]) -> frozenset[str]:
    """The names of ``sets`` (one per key) that are users' columns: none unless the keys are tables."""
    if len(sets) < TABLES_MIN:
        return frozenset()
    common = frozenset.intersection(*sets)
    own = [names - common for names in sets]
    columns = frozenset().union(*own)
    if len(columns) < COLUMNS_MIN or len({names for names in own if names}) < TABLES_MIN:
        return frozenset()
    if any(len(names) > MAP_MAX_FILL * len(columns) for names in own):
        return frozenset()
    return columns


def open_columns(op: OperationState, columns: Mapping[str, frozenset[str]]) -> None:
    """Move users' columns to the keys beyond the listed ones, in ``op``'s successful JSON answers (merged
    copies: the builder's own stay as they are), and at the root of its JSON requests (the row written)."""
    for status, resp in op.responses.items():
        if 200 <= status < 300:
            for body in resp.bodies.by_media.values():
                if body.shape is not None:
                    for position, names in columns.items():
                        _open(_at(body.shape, position), names)
    written = columns.get("")
    if written:
        for body in op.request.by_media.values():
            if body.shape is not None:
                _open(body.shape, written)


def _at(shape: Shape, position: str) -> Shape | None:
    if not position:
        return shape
    name = position[:-2]
    holder = shape if not name else (shape.props or {}).get(name)
    return holder.items if holder is not None else None


def _open(node: Shape | None, names: frozenset[str]) -> None:
    if node is None or not node.props:
        return
    for name in sorted(names & node.props.keys()):
        if node.extra is None:
            node.extra = Shape(node.depth + 1)
        node.extra.merge(node.props.pop(name))
