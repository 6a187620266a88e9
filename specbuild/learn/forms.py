"""Form bodies as the objects and arrays their bracket keys spell; pure.

``metadata[plan]=pro&items[0][price]=5&items[1][price]=7`` is, to Rails, PHP and Stripe's clients, the
object ``{"metadata": {"plan": "pro"}, "items": [{"price": "5"}, {"price": "7"}]}``. The fold keeps each
field under its ``records.form_key`` (indices collapsed: ``items[][price]``) as a parameter
(``builder.ParamState``: the bodies it was in, whether it came twice in one, its values); this module
reads those names as paths (``records.form_name``) and renders the tree they make:

- ``[]`` and ``[0]`` are array positions: the array's items;
- an object whose keys are data (ids, the keys a user chose under ``metadata``) is a map
  (``additionalProperties``), by the rules JSON objects follow (``schema._keyed_by_ids``,
  ``schema._looks_like_map``); so is the body itself when every one of its names is data
  (:func:`_names_are_data`);
- a name sent both as a value and as an object (Stripe's ``metadata=`` clears, ``metadata[k]=v`` sets)
  is ``anyOf`` both;
- ``required`` only where the counts say how many objects there were: a name counts the *bodies* it was
  in, so inside an array (many items per body) nothing is required, and below the root an object's
  own count is known only when one of its fields was in every body its parent was (or it has one field).

``encoding`` says how the wire spells the objects: ``style: deepObject, explode: true`` for every
property sent with brackets, so the OpenAPI document describes the body a client must send.

A query string is spelled the same way (``qs``, Rack, PHP: ``filters[title][$eq]=x&sort[0]=title``), so
its bracketed names are read by the same tree: :func:`deep_groups` gathers the names under one base, and
:func:`deep_schema` renders that base as the schema of one ``deepObject`` query parameter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from specbuild.learn.builder import ParamMap, ParamState
from specbuild.learn.rules import USER_OBJECTS
from specbuild.learn.schema import (
    ARR,
    BOOL,
    FLOAT,
    INT,
    NULL,
    OBJ,
    S_BOOL,
    S_INT,
    S_NUMBER,
    S_STR,
    STR,
    Shape,
    _keyed_by_ids,
    _looks_like_map,
    _shaped_as_data,
)
from specbuild.multipart import FILE_SEGMENT
from specbuild.records import form_name, is_index

__all__ = ["deep_groups", "deep_schema", "form_media"]

DEEP_OBJECT: Final = {"explode": True, "style": "deepObject"}
BINARY: Final = {"format": "binary", "type": "string"}
# the segment a multipart file part folds under (``file[<FILE>]``): its values are the part's media types
FILE: Final = FILE_SEGMENT
# a string value's kinds as a JSON position's (what the map rules read)
_JSON_KINDS: Final = ((S_BOOL, BOOL), (S_INT, INT), (S_NUMBER, FLOAT), (S_STR, STR))


@dataclass(slots=True)
class Field:
    """One position of a form's tree: a value sent under its very name, named fields below, items."""

    value: ParamState | None = None
    props: dict[str, Field] = field(default_factory=dict)
    items: Field | None = None
    # seen() and fields(), once asked: the render asks them at every level, a walk of the subtree each time
    # (quadratic in a name's depth). A tree is not changed once rendering starts.
    counts: tuple[int, int, int] | None = field(default=None, repr=False, compare=False)

    def seen(self) -> int:
        """The most bodies any field at or below this position was in: at least as many had it."""
        return self._counts()[0]

    def fields(self) -> int:
        """How many names were sent at or below this position."""
        return self._counts()[1]

    def varied(self) -> int:
        """seen() of the fields sent with more than one value: one value in every call is a client's default
        (render._required's query rule), which says nothing of what the server needs."""
        return self._counts()[2]

    def _counts(self) -> tuple[int, int, int]:
        if self.counts is None:
            seen, fields, varied = 0, 0, 0
            if self.value is not None:
                vals = self.value.values.vals
                seen, fields = self.value.present, 1
                varied = 0 if vals is not None and len(vals) == 1 else seen
            for child in self.below():
                below = child._counts()
                seen, fields, varied = max(seen, below[0]), fields + below[1], max(varied, below[2])
            self.counts = (seen, fields, varied)
        return self.counts

    def below(self) -> list[Field]:
        return [*self.props.values(), *([self.items] if self.items is not None else [])]


def tree(form: ParamMap, files: bool = False) -> Field:
    """The fields of a form fold as a tree of their bracketed names (``a[b][]``: ``a`` -> ``b`` -> items).
    ``files``: a multipart body's, whose file parts fold under ``name[<FILE>]`` (builder.BodyState): that
    segment is split off before the name is read, so a name that spells no bracketed path (``[x]``, ``a[b``)
    holds its file too."""
    root = Field()
    suffix = f"[{FILE}]"
    for name, state in form.items():
        node = root
        file = files and name.endswith(suffix)
        for segment in (*form_name(name[:-len(suffix)]), FILE) if file else form_name(name):
            if node is not root and is_index(segment):
                node.items = node = node.items or Field()
            else:
                node = node.props.setdefault(segment, Field())
        node.value = _merged_value(node.value, state)  # `a[0]` and `a[]` folded apart (an old state)
    return root


def _merged_value(mine: ParamState | None, theirs: ParamState) -> ParamState:
    out = ParamState()
    for state in (mine, theirs):
        if state is not None:
            out.merge(state)
    return out


@dataclass(frozen=True, slots=True)
class _Render:
    openapi: str
    enums: bool
    defaults: bool = False  # a query's: a field sent with one value only is no required one
    # a multipart body's: FILE holds a file part; elsewhere it is a name a client sent, nothing more
    files: bool = False

    def node(self, node: Field, name: str | None, exact: int | None, bound: int, flat: bool) -> dict[str, Any]:
        """The schema of one position. ``exact``: the bodies it was in, when known; ``bound``: at most
        that many (the map rule reads it); ``flat``: no array position above (a name twice in one body is
        then an array of its values, as a query parameter's)."""
        branches: list[dict[str, Any]] = []
        file = node.props.get(FILE) if self.files else None
        if file is not None:  # a multipart file part under this name: the rest of the node as without it
            node = Field(node.value, {k: v for k, v in node.props.items() if k != FILE}, node.items)
        if node.items is not None:
            items = self.node(node.items, name, None, bound, False)
            branches.append({"items": items, "type": "array"})
        if node.props:
            branches.append(self.object(node, name, exact if node.value is None else None, bound, flat))
        if node.value is not None:
            scalar = node.value.values.to_schema(openapi=self.openapi, enums=self.enums, name=name)
            branches.append({"items": scalar, "type": "array"} if node.value.repeated and flat else scalar)
        if file is not None and file.value is not None:
            binary = dict(BINARY)
            branches.append({"items": binary, "type": "array"} if file.value.repeated and flat else binary)
        return branches[0] if len(branches) == 1 else {"anyOf": branches}

    def object(self, node: Field, name: str | None, exact: int | None, bound: int, flat: bool) -> dict[str, Any]:
        keys = sorted(node.props)
        if (_names_are_data(node, keys, bound, self.files) if name is None else
                _keyed_by_ids(keys) or _looks_like_map(_probe(node, name, bound, self.files), name)):
            merged = _merged([node.props[k] for k in keys])
            return {"additionalProperties": self.node(merged, None, None, bound, flat), "type": "object"}
        properties: dict[str, Any] = {}
        required: list[str] = []
        for key in keys:
            child = node.props[key]
            seen = child.seen()
            if exact is not None and (child.varied() if self.defaults else seen) >= exact:
                required.append(key)
                known: int | None = exact
            else:
                known = seen if exact is not None and child.fields() == 1 else None
            properties[key] = self.node(child, key, known, bound if known is None else known, flat)
        out: dict[str, Any] = {"properties": properties}
        if required:
            out["required"] = required
        out["type"] = "object"
        return out


def _names_are_data(node: Field, keys: list[str], bound: int, files: bool) -> bool:
    """A form's own names, two or more, all shaped as data (Mailman's template names,
    ``list:member:regular:footer``) with one kind of value: a map, as a JSON body's root of those keys is
    (``schema._looks_like_map``'s every-key-data rule). Only that rule: a form's names are its fields, and
    a settings form sending a few of its many optional fields each time is no map."""
    if len(keys) < 2 or not all(_shaped_as_data(k) for k in keys):
        return False
    kinds = {c.kinds & ~NULL for c in (_probe(node, "", bound, files).props or {}).values()} - {0}
    return len(kinds) == 1


def _probe(node: Field, name: str, bound: int, files: bool) -> Shape:
    """What ``schema._looks_like_map`` reads of an object: its keys' counts and kinds, and how many
    objects there were. A form does not say that: between its most frequent key's count and ``bound``.
    Under a name for what users fill in (``metadata``), the map rule asks that no key be in every object:
    the bound, or the most frequent key would be; elsewhere it asks that each object carry few of the
    keys: the most frequent key's count, or an optional object of many optional fields (a dispute's
    ``evidence``) would look sparse."""
    probe = Shape()
    probe.objects = bound if name.lower() in USER_OBJECTS else node.seen()
    probe.props = {}
    for key, child in node.props.items():
        shape = probe.props[key] = Shape(1)
        shape.count = child.seen()
        file = files and FILE in child.props
        shape.kinds = (OBJ if len(child.props) > file else 0) | (ARR if child.items is not None else 0)
        if file:
            shape.kinds |= STR
        if child.value is not None:
            shape.kinds |= sum(json for bit, json in _JSON_KINDS if child.value.values.kinds & bit)
    return probe


def _merged(nodes: list[Field]) -> Field:
    """The values of a map: every key's tree folded into one."""
    out = Field()
    for node in nodes:
        if node.value is not None:
            out.value = _merged_value(out.value, node.value)
        for key, child in node.props.items():
            out.props[key] = _merged([out.props[key], child]) if key in out.props else _merged([child])
        if node.items is not None:
            out.items = _merged([out.items, node.items] if out.items is not None else [node.items])
    return out


def form_media(form: ParamMap, bodies: int, openapi: str = "3.0",
               enums: bool = True, files: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """The schema of a form media type and its ``encoding`` (``{}`` when no name has brackets), from the
    fields folded from ``bodies`` bodies. A form of plain names is the object of those names, each
    required when it was in every body. ``files``: a multipart body's form (its file parts, _Render.files)."""
    root = tree(form, files)
    schema: dict[str, Any] = {"type": "object"}
    if root.props:
        schema = _Render(openapi, enums, files=files).object(root, None, bodies, bodies, True)
    encoding: dict[str, Any] = {}
    for key, child in sorted(root.props.items()):
        if len(child.props) > (files and FILE in child.props) or (child.items is not None
                                                                  and set(child.items.props) != {FILE}):
            encoding[key] = dict(DEEP_OBJECT)
        media = _file_media(child) if files else None
        if media is not None:
            encoding.setdefault(key, {})["contentType"] = media
    return schema, encoding


def _file_media(node: Field) -> str | None:
    """The one media type a multipart file part under ``node`` (or its items) was sent in; None when it
    was sent in several, or none named, or it is no file part."""
    file = node.props.get(FILE) or (node.items.props.get(FILE) if node.items is not None else None)
    vals = file.value.values.vals if file is not None and file.value is not None else None
    return next(iter(vals)) if vals is not None and len(vals) == 1 else None


def deep_groups(params: ParamMap) -> dict[str, ParamMap]:
    """The query names that spell one object or array, by their base: ``filters[title][$eq]`` and
    ``filters[$or][0][x]`` under ``filters``, with a plain ``filters`` sent beside them. A base sent only
    as ``base[]`` is not one: a parameter named ``base[]`` (style form, exploded: ``?ids[]=a&ids[]=b``) is
    how OpenAPI already spells PHP's lists, and generators send it so."""
    paths = {name: form_name(name) for name in params}
    bases = {path[0] for path in paths.values() if len(path) > 1 and (len(path) > 2 or path[1] != "")}
    out: dict[str, ParamMap] = {}
    for name, path in paths.items():
        if path[0] in bases:
            out.setdefault(path[0], ParamMap())[name] = params[name]
    return out


def deep_schema(group: ParamMap, calls: int, openapi: str = "3.0", enums: bool = True) -> dict[str, Any]:
    """The schema of one ``deepObject`` query parameter from its names (one of :func:`deep_groups`),
    folded from ``calls`` calls. Its fields are never ``required``: the parameter never is (a client that
    always sends one looks like a server that needs it, learn/rules.py), so how many calls sent the
    object is not known."""
    root = tree(group)
    base = next(iter(root.props))
    render = _Render(openapi, enums, defaults=True)
    return render.node(root.props[base], base, None, calls, True)
