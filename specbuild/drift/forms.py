"""A form body read as the JSON value a spec describes: bracket keys nested, text typed; pure.

``metadata[plan]=pro&items[0][price]=5&items[1][price]=7&tags[]=a`` is
``{"metadata": {"plan": "pro"}, "items": [{"price": 5}, {"price": 7}], "tags": ["a"]}`` when the spec
says ``price`` is an integer: a form carries only text, so each value is read as the type its place in
the schema asks for (``"5"`` -> 5, ``"true"`` -> true), the way a server's form parser does. A value
that does not read as that type stays text, and the schema check reports it.

Array positions: ``[0]``, ``[7]`` in their order (gaps closed); ``[]`` the value's turn (the second
``items[][price]`` goes to the second item); a name sent twice without one is the list of its values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from specbuild.formats import BOOL_TEXT
from specbuild.records import form_name, is_index

__all__ = ["branches", "deep_value", "form_value", "param_values", "scalar", "types_at"]

MAX_REF_HOPS: Final = 32  # a $ref chain longer than this (or a loop of them) types nothing: text stays text


class _Node:
    """A position of the form being read: named children, array positions, and text sent there."""

    __slots__ = ("keys", "positions", "texts")

    def __init__(self) -> None:
        self.keys: dict[str, _Node] = {}
        self.positions: dict[int, _Node] = {}
        self.texts: list[str] = []

    def at(self, segment: str, turn: int, last: bool = False) -> _Node:
        """The position ``segment`` names; ``[]`` is the value's turn below it (the second ``items[][price]``
        the second item's), and at the end of a name the next free position (``sort[0]=a&sort[]=b`` is
        ``["a", "b"]``, as ``qs`` and PHP read it)."""
        if is_index(segment):
            position = int(segment) if segment else max(self.positions, default=-1) + 1 if last else turn
            return self.positions.setdefault(position, _Node())
        return self.keys.setdefault(segment, _Node())


def form_value(form: Mapping[str, list[str]], schema: Mapping[str, Any]) -> dict[str, Any]:
    """The object ``form`` (a name's values, as ``records.decode`` groups them) spells, typed by
    ``schema`` (a self-contained schema: its ``$ref``s point into its own ``$defs``)."""
    return _object(_read(form), branches(schema, schema), schema)


def deep_value(form: Mapping[str, list[str]], schema: Mapping[str, Any]) -> Any:
    """The value one ``deepObject`` query parameter spells: its bracketed names (``filters[title][$eq]``,
    one base) read as a form's are, typed by the parameter's (self-contained) ``schema``."""
    (node,) = _read(form).keys.values()
    return _value(node, schema, schema)


def param_values(raws: list[str], schema: Mapping[str, Any], explode: bool) -> list[Any]:
    """The JSON values a parameter's texts (its values in one request) may be, as ``schema``
    (self-contained) describes, typed by every branch of a union: ``a=1`` is 1 where the schema is
    ``anyOf`` an object and an integer (``a=1&a[b]=2`` learns that). Where a branch is an array, one text
    is also the list of it, after the value alone (``populate=*`` beside ``populate=a&populate=b``); texts
    sent twice are only the list."""
    places = branches(schema, schema)
    types = _types(places)
    if "array" not in types:
        return [scalar(raws[-1], types)]
    alone = [scalar(raws[0], types - {"array"})] if len(raws) == 1 and types != {"array"} else []
    if len(raws) == 1 and not explode:
        raws = raws[0].split(",")
    items = _types(branches(_items(places), schema))
    return [*alone, [scalar(raw, items) for raw in raws]]


def types_at(schema: Any, root: Mapping[str, Any]) -> set[str]:
    """The types ``schema`` allows, every branch of a union and ``$ref`` (into ``root``) followed."""
    return _types(branches(schema, root))


def _read(form: Mapping[str, list[str]]) -> _Node:
    root = _Node()
    for name, texts in form.items():
        path = form_name(name)
        if len(path) == 1:
            root.keys.setdefault(name, _Node()).texts.extend(texts)
            continue
        for turn, text in enumerate(texts):
            node = root.keys.setdefault(path[0], _Node())
            for depth, segment in enumerate(path[1:], 2):
                node = node.at(segment, turn, depth == len(path))
            node.texts.append(text)
    return root


def _value(node: _Node, schema: Any, root: Mapping[str, Any], flat: bool = True) -> Any:
    """What ``node`` holds: an object where names were sent below it (array positions then keys too),
    else an array where positions were, else its text (text sent beside either is left out: a body is
    read one way). One text where the schema allows an array and a scalar is the scalar (``a=x`` beside
    ``a[]=y`` in other bodies: the learner read it so); texts sent twice at one position are an item
    each (``a[0]=x&a[0]=y`` is ``["x", "y"]``, as ``qs`` reads it and the learner counts them). Below
    an array position (not ``flat``) a name sent twice is no list unless the schema has one there: the
    learner cannot tell two items' names from one item's there (learn/forms.py), and took each as a value."""
    places = branches(schema, root)
    if node.keys:
        return _object(node, places, root, flat)
    if node.positions:
        items = _items(places)
        children = [child for _, child in sorted(node.positions.items())]
        if all(child.texts and not child.keys and not child.positions for child in children):
            # texts only (a[]=1&a[]=x): one list, typed by one array branch, as a name sent twice is
            return _texts([text for child in children for text in child.texts], places, root)
        out: list[Any] = []
        for child in children:
            if len(child.texts) > 1 and not child.keys and not child.positions:
                out.extend(scalar(text, _types(branches(items, root))) for text in child.texts)
            else:
                out.append(_value(child, items, root, False))
        return out
    types = _types(places)
    if len(node.texts) == 1 and ("array" not in types or types - {"array", "object", "null"}):
        return scalar(node.texts[0], types - {"array"})
    if not flat and types and "array" not in types:
        return scalar(node.texts[-1], types)  # the last, as PHP and Rails read a name sent twice
    return _texts(node.texts, places, root)


def _texts(texts: list[str], places: list[Mapping[str, Any]], root: Mapping[str, Any]) -> list[Any]:
    """Texts sent at one place as a list, typed by the first array among ``places`` whose items read every
    one of them (``a[b]=1&a[b]=x`` against ``anyOf`` an array of integers and one of strings: strings)."""
    arrays = [place["items"] for place in places if isinstance(place.get("items"), Mapping)]
    for items in arrays:
        types = _types(branches(items, root))
        values = [scalar(text, types) for text in texts]
        if not types or "string" in types or not any(type(v) is str for v in values):
            return values
    return [scalar(text, _types(branches(_items(places), root))) for text in texts]


def _object(node: _Node, places: list[Mapping[str, Any]], root: Mapping[str, Any],
            flat: bool = True) -> dict[str, Any]:
    """The keys sent below ``node``, and its array positions as keys (``qs`` reads ``a[0]=x&a[b]=y`` as
    ``{"0": "x", "b": "y"}``), but where the schema has an array there and no such key: those positions
    are the array's, which a body read as the object cannot hold (the learner made both: ``anyOf``)."""
    out = {k: _value(child, _property(places, k), root, flat) for k, child in node.keys.items()}
    arrays = _items(places) is not None
    for position, child in sorted(node.positions.items()):
        place = _property(places, str(position))
        if place is not None or not arrays:
            out.setdefault(str(position), _value(child, place, root, flat))
    return out


def branches(schema: Any, root: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """Every schema that applies at a place: ``$ref``s (into ``root``) followed, ``allOf``, ``anyOf``, ``oneOf``
    opened; a chain or a loop of them ends after MAX_REF_HOPS (a union that names itself, ``F: anyOf [F, ...]``)."""
    out: list[Mapping[str, Any]] = []
    stack = [(schema, 0)]
    while stack:
        node, hops = stack.pop()
        if not isinstance(node, Mapping) or hops > MAX_REF_HOPS:
            continue
        ref = node.get("$ref")
        if isinstance(ref, str):
            stack.append((_target(ref, root), hops + 1))
            continue
        out.append(node)
        for key in ("allOf", "anyOf", "oneOf"):
            branches = node.get(key)
            if isinstance(branches, list):
                stack.extend((branch, hops + 1) for branch in reversed(branches))
    return out


def _target(ref: str, root: Mapping[str, Any]) -> Any:
    node: Any = root
    for part in ref.removeprefix("#/").split("/") if ref.startswith("#/") else ():
        node = node.get(part.replace("~1", "/").replace("~0", "~")) if isinstance(node, Mapping) else None
    return node if ref.startswith("#/") else None


def _property(places: list[Mapping[str, Any]], key: str) -> Any:
    for place in places:
        props = place.get("properties")
        if isinstance(props, Mapping) and key in props:
            return props[key]
    for place in places:
        extra = place.get("additionalProperties")
        if isinstance(extra, Mapping):
            return extra
    return None


def _items(places: list[Mapping[str, Any]]) -> Any:
    """The items of every array among ``places`` (a name sent twice, ``a[b]=1&a[b]=2``, and positions,
    ``a[b][0]=x``, are two array branches of one union: an item may be either's)."""
    found = [place["items"] for place in places if isinstance(place.get("items"), Mapping)]
    return None if not found else found[0] if len(found) == 1 else {"anyOf": found}


def _types(places: list[Mapping[str, Any]]) -> set[str]:
    out: set[str] = set()
    for place in places:
        t = place.get("type")
        out.update([t] if isinstance(t, str) else t if isinstance(t, list) else ())
        if place.get("nullable") is True:
            out.add("null")
    return out


def scalar(raw: str, types: set[str]) -> Any:
    """Text as the JSON value of the first of ``types`` it reads as: ``"42"`` -> 42 for an integer."""
    if types & {"integer", "number"}:
        try:
            return int(raw)
        except ValueError:
            pass
        if "number" in types:
            try:
                return float(raw)
            except ValueError:
                pass
    if "boolean" in types and raw in BOOL_TEXT:
        return raw.lower() == "true"
    if "null" in types and raw in ("", "null"):
        return None
    return raw
