"""One field, one vocabulary: a name's enums at several places of a spec, shared.

Each place of a rendered body claims the enum its own values justified (``schema._enum``): the subset of
the field's values that place's sample happened to show. Where one name holds an enum at several places
with values in common, it is one field of the API (Matrix's ``membership`` in an event's ``content``, its
``prev_content`` and ``unsigned``: [invite, join, leave], [ban, join, leave], [invite, join]), and the next
sample shows each place another subset: every place holds their union. Widening only.
"""

from __future__ import annotations

from typing import Any

from specbuild.learn.nullability import Place
from specbuild.learn.rules import ENUM_MAX


def share_enums(every: list[Place]) -> None:
    """Give each place's enum the union of the enums its name holds elsewhere, where they overlap.

    Sets that share no value are other fields under one name (a check run's ``status``, a deployment's)
    and stay apart. A union past ENUM_MAX values is no closed set: no place of it claims an enum then,
    as no place would have with all those values seen.
    """
    by_name: dict[str, dict[int, dict[str, Any]]] = {}
    for _, name, schema, _, _ in every:
        enum = schema.get("enum")
        if isinstance(enum, list) and any(isinstance(v, str) for v in enum):
            by_name.setdefault(name, {})[id(schema)] = schema  # a schema shared by two places counts once
    for name in sorted(by_name):
        schemas = list(by_name[name].values())
        if len(schemas) > 1:
            for group in _overlapping(schemas):
                _unite(group)


def _values(schema: dict[str, Any]) -> frozenset[str]:
    return frozenset(v for v in schema["enum"] if isinstance(v, str))


def _overlapping(schemas: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """The schemas in groups whose value sets are linked by shared values (in the order given)."""
    groups: list[tuple[set[str], list[dict[str, Any]]]] = []
    for schema in schemas:
        values = set(_values(schema))
        members = [schema]
        for group in [g for g in groups if not g[0].isdisjoint(values)]:
            groups.remove(group)
            values |= group[0]
            members = group[1] + members
        groups.append((values, members))
    return [members for _, members in groups if len(members) > 1]


def _unite(group: list[dict[str, Any]]) -> None:
    values = sorted(set().union(*(_values(schema) for schema in group)))
    for schema in group:
        if len(values) > ENUM_MAX:
            del schema["enum"]
        else:  # a place's null stays its own (nullability decided it, per place)
            schema["enum"] = [*values, *(v for v in schema["enum"] if not isinstance(v, str))]
