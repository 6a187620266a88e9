"""Validation errors keyed by the request's field names are maps, not records; pure.

Django REST Framework answers a 400 with the fields it refused as keys (``{"name": ["This field must be
unique."]}``), Laravel under ``errors`` (``{"message": ..., "errors": {"email": [...]}}``), Rails and
Django forms alike. The learner saw the sample's mistakes only: the union of the fields they named
became the properties of one error record, shared as the inferred ``4XX`` of every operation (Pulp's
``add_content_units``, ``base_path``, ``name`` on 54 operations, ``GET /status`` among them), and a
client was handed an error type whose fields are yesterday's mistakes.

An error body's object (at its root, or its ``errors``; each of a list of them, a bulk request's) is such
a map when two or more of its keys, and at least half of them, are field names some request body of the
API sends, and each of those holds a list (the messages) or an object (a nested serializer's errors):
those keys become its ``additionalProperties``, the other keys (``detail``, ``non_field_errors``,
``message``) stay properties.
A scalar under a request field's name (``{"name": "ValidationError", "message": ...}``) is no such map.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from specbuild.learn.schema import without_seen

__all__ = ["field_keyed_errors", "request_fields", "request_schemas"]

FIELD_KEYED_MIN: Final = 2  # request field names among an error object's keys, at the least...
# ...and this share of its keys (the rest: the error's own members, ``detail``, ``message``)
FIELD_KEYED_SHARE: Final = 0.5
_NESTED: Final = ("errors",)  # where a framework puts the field map below an envelope (Laravel, Rails)


def request_schemas(paths: dict[str, Any]) -> Iterator[Any]:
    """The schema of every request body of ``paths``, each media type's (inline: components are not
    shared yet)."""
    for item in paths.values():
        for op in item.values():
            content = (op.get("requestBody") or {}).get("content") or {} if isinstance(op, dict) else {}
            for media in content.values():
                yield media.get("schema")


def request_fields(paths: dict[str, Any]) -> frozenset[str]:
    """The top-level property names of every request body of ``paths`` (JSON and forms, inline): of the
    records it sends, one or a list of them (a bulk create or update: NetBox's, Nautobot's), in any branch
    of a body sent both ways."""
    out: set[str] = set()
    for schema in request_schemas(paths):
        for record in _records(schema):
            props = record.get("properties")
            if isinstance(props, dict):
                out.update(props)
    return frozenset(out)


def _records(schema: Any) -> Iterator[dict[str, Any]]:
    """The objects a body's schema sends: itself, each branch of an ``anyOf``/``oneOf``, a list's items."""
    if not isinstance(schema, dict):
        return
    yield schema
    yield from _items(schema)
    for branch in (*(schema.get("anyOf") or ()), *(schema.get("oneOf") or ())):
        if isinstance(branch, dict):
            yield from _items(branch)
            yield branch


def _items(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A list schema's items, the records it sends (none where it is no list of objects' schema)."""
    items = schema.get("items")
    if isinstance(items, dict):
        yield items


def field_keyed_errors(paths: dict[str, Any], fields: frozenset[str]) -> None:
    """Every error response's body (4xx, 5xx, ``4XX``, ``default``) whose object is keyed by request
    ``fields`` made a map of them, in place: the body's object, or each of a list (a bulk request's errors,
    one per record sent), in any branch of a body answered both ways."""
    if len(fields) < FIELD_KEYED_MIN:
        return
    for item in paths.values():
        for op in item.values():
            responses = op.get("responses") if isinstance(op, dict) else None
            for status, response in (responses or {}).items():
                if str(status)[:1] not in "45d":
                    continue
                for media in ((response or {}).get("content") or {}).values():
                    # an error object, or a list of them (a bulk request's: one per record), or either
                    for schema in _records(media.get("schema")):
                        _mapped(schema, fields)
                        nested = (schema.get("properties") or {})
                        for name in _NESTED:
                            if isinstance(nested.get(name), dict):
                                _mapped(nested[name], fields)


def _mapped(schema: dict[str, Any], fields: frozenset[str]) -> None:
    props = schema.get("properties")
    if not isinstance(props, dict) or "additionalProperties" in schema:
        return
    keyed = [key for key in props if key in fields]
    if len(keyed) < FIELD_KEYED_MIN or len(keyed) < FIELD_KEYED_SHARE * len(props):
        return
    values = [props[key] for key in keyed]
    if not all(isinstance(v, dict) and v.get("type") in ("array", "object") for v in values):
        return
    plain = [without_seen(value) for value in values]
    # one shape for every field's messages: the first's (its counts, fewer than all of theirs, promise less)
    schema["additionalProperties"] = values[0] if all(p == plain[0] for p in plain) else True
    for key in keyed:
        del props[key]
    if not props:
        del schema["properties"]
    required = [key for key in schema.get("required") or () if key not in keyed]
    if required:
        schema["required"] = required
    else:
        schema.pop("required", None)
