"""An example body that validates against its schema, though redaction replaced some of its strings; pure.

The example is one body as it was seen (``--examples``), so it fits the schema learned from all of them,
except where :func:`specbuild.learn.builder.redact` put a placeholder: ``REDACTED`` under a name with a
learned ``enum`` or ``format`` breaks it (Spectral's ``oas3-valid-media-example``). Such a value becomes
one the schema allows and that says nothing about the original: the enum's first value, or a fixed
value of the format.
"""

from __future__ import annotations

from typing import Any, Final

PLACEHOLDERS: Final = frozenset({"REDACTED", "user@example.com"})
# one value per format the learner writes (learn/rules.py FORMAT_RULES); tests/test_examples.py holds
# every one to its pattern
FORMAT_VALUES: Final = {
    "date-time": "1970-01-01T00:00:00Z", "date": "1970-01-01", "time": "00:00:00Z",
    "uuid": "00000000-0000-0000-0000-000000000000", "email": "user@example.com", "uri": "https://example.com/",
    "ipv4": "192.0.2.1", "ipv6": "2001:db8::1"}
_KINDS: Final[dict[type, str]] = {dict: "object", list: "array", str: "string"}


def fit(value: Any, schema: Any) -> Any:
    """``value`` with every placeholder the schema at its position refuses replaced by one it allows."""
    kind = _KINDS.get(type(value))
    if kind is None or not isinstance(schema, dict):
        return value
    schema = _branch(schema, kind)
    if isinstance(value, dict):
        props = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        return {k: fit(v, props.get(k, extra)) for k, v in value.items()}
    if isinstance(value, list):
        return [fit(v, schema.get("items")) for v in value]
    if value not in PLACEHOLDERS:
        return value
    enum = [v for v in schema.get("enum") or () if isinstance(v, str)]
    if enum:
        return value if value in enum else enum[0]
    fmt = schema.get("format")
    return FORMAT_VALUES.get(fmt, value) if isinstance(fmt, str) else value


def _branch(schema: dict[str, Any], kind: str) -> dict[str, Any]:
    """The ``anyOf`` branch for a value of this JSON kind (the learner writes one branch per kind)."""
    for branch in schema.get("anyOf") or ():
        if isinstance(branch, dict) and _has_type(branch, kind):
            return branch
    return schema


def _has_type(schema: dict[str, Any], kind: str) -> bool:
    t = schema.get("type")
    return t == kind or (isinstance(t, list) and kind in t)
