"""A draft-04 metaschema (OpenAPI 3.0's) compiled to a predicate that says whether a document is valid
against it: what jsonschema's Draft4Validator finds, without its errors, generators and validators evolved
per descent (io.validate runs it before the library's metaschema walk: ~10x cheaper).

Each keyword mirrors jsonschema's function of that name for draft 4 (``_keywords``, ``_legacy_keywords``),
the types its draft-4 type checker, ``$ref`` ignoring its siblings; a keyword it does not mirror, a ref
out of the document, an ``id`` that moves a ref's base: :class:`Unsupported` when compiling, and the
caller walks with the library alone. ``valid`` is exact both ways (tests/test_validate_metaschema.py
holds it against the library), yet io.validate takes only True from it: False is followed by the
library's own walk, which says what is wrong and where. This module imports no library: jsonschema's
``equal`` and ``uniq`` (how ``enum`` and ``uniqueItems`` compare) are handed in.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

# (instance, memo of $ref verdicts by (target, id(instance)), valid for one call)
Check = Callable[[Any, dict[tuple[int, int], bool]], bool]

# the keywords mirrored here, by the name of the jsonschema function Draft4Validator runs for each
MIRRORED: Final = {
    "$ref": "jsonschema._keywords.ref", "additionalProperties": "jsonschema._keywords.additionalProperties",
    "allOf": "jsonschema._keywords.allOf", "anyOf": "jsonschema._keywords.anyOf",
    "dependencies": "jsonschema._legacy_keywords.dependencies_draft4_draft6_draft7",
    "enum": "jsonschema._keywords.enum", "format": "jsonschema._keywords.format",
    "items": "jsonschema._legacy_keywords.items_draft3_draft4",
    "maxProperties": "jsonschema._keywords.maxProperties", "minItems": "jsonschema._keywords.minItems",
    "minProperties": "jsonschema._keywords.minProperties",
    "minimum": "jsonschema._legacy_keywords.minimum_draft3_draft4", "not": "jsonschema._keywords.not_",
    "oneOf": "jsonschema._keywords.oneOf", "pattern": "jsonschema._keywords.pattern",
    "patternProperties": "jsonschema._keywords.patternProperties",
    "properties": "jsonschema._keywords.properties", "required": "jsonschema._keywords.required",
    "type": "jsonschema._keywords.type", "uniqueItems": "jsonschema._keywords.uniqueItems",
}


class Unsupported(Exception):
    """The metaschema uses what is not mirrored here: the library's walk must judge."""


def _is_number(x: Any) -> bool:
    return not isinstance(x, bool) and isinstance(x, numbers.Number)


TYPES: Final[Mapping[str, Callable[[Any], bool]]] = {  # jsonschema's draft4_type_checker
    "array": lambda x: isinstance(x, list), "boolean": lambda x: isinstance(x, bool),
    "integer": lambda x: not isinstance(x, bool) and isinstance(x, int), "null": lambda x: x is None,
    "number": _is_number, "object": lambda x: isinstance(x, dict), "string": lambda x: isinstance(x, str),
}


class Metaschema:
    """``root`` (a draft-04 schema) compiled: ``keywords`` names the function Draft4Validator runs for each
    keyword it knows (those it does not know are not checked, by it or here); ``equal`` and ``uniq`` are
    jsonschema's ``_utils`` functions; ``format_checker`` the validator's (None: formats not checked)."""

    def __init__(self, root: Mapping[str, Any], keywords: Mapping[str, str],
                 equal: Callable[[Any, Any], bool], uniq: Callable[[Any], bool], format_checker: Any = None) -> None:
        self._root = root
        self._keywords = keywords
        self._equal = equal
        self._uniq = uniq
        self._format_checker = format_checker
        self._compiled: dict[int, Check] = {}
        self._held: list[Any] = []  # the subschemas compiled, kept alive: their ids key _compiled
        self._pending: list[Callable[[], None]] = []  # the targets of refs, compiled once the root is
        self._check = self._schema(root, is_root=True)
        while self._pending:
            self._pending.pop()()

    def valid(self, instance: Any, memo: dict[tuple[int, int], bool] | None = None) -> bool:
        """Whether Draft4Validator(root) finds nothing wrong with ``instance``; ``memo`` keeps the verdicts on
        its objects for the next call, while they are all alive (by their ids)."""
        return self._check(instance, {} if memo is None else memo)

    def _schema(self, schema: Any, is_root: bool = False) -> Check:
        if not isinstance(schema, dict):
            raise Unsupported(f"a schema that is not an object: {schema!r}")
        known = self._compiled.get(id(schema))
        if known is not None:
            return known
        if not is_root and ("id" in schema or "$schema" in schema):
            raise Unsupported("an id below the root moves the base of its refs")
        ref = schema.get("$ref")
        if ref is not None:  # ignore_ref_siblings: a $ref is all that is checked
            check = self._ref(ref)
        else:
            parts = [self._keyword(k, v, schema) for k, v in schema.items() if k in self._keywords]
            checks = tuple(part for part in parts if part is not None)
            check = all_of(checks)
        self._compiled[id(schema)] = check
        self._held.append(schema)
        return check

    def _ref(self, ref: Any) -> Check:
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise Unsupported(f"$ref {ref!r}")
        target = self._pointed(ref)
        key = id(target)
        compiled: list[Check] = []  # after the root: a ref may point to a schema being compiled
        self._pending.append(lambda: compiled.append(self._schema(target)))
        return remembered(compiled, key)

    def _pointed(self, ref: str) -> Any:
        node: Any = self._root
        for part in ref[1:].split("/")[1:] if ref != "#" else ():
            part = part.replace("~1", "/").replace("~0", "~")
            if "%" in part or not isinstance(node, dict) or part not in node:
                raise Unsupported(f"$ref {ref!r}")
            node = node[part]
        return node

    def _keyword(self, k: str, v: Any, schema: Mapping[str, Any]) -> Check | None:
        maker = getattr(self, "_k_" + k, None)
        if maker is None or MIRRORED.get(k) != self._keywords[k]:
            raise Unsupported(f"{k}: {self._keywords[k]}")
        check: Check | None = maker(v, schema)
        return check

    # each _k_NAME mirrors jsonschema's function for keyword NAME (MIRRORED); None: nothing to check
    def _k_format(self, v: Any, schema: Mapping[str, Any]) -> Check | None:
        checker = self._format_checker  # jsonschema's format keyword: its check() raising is conforms() False
        return None if checker is None else lambda x, memo: bool(checker.conforms(x, v))

    def _k_dependencies(self, v: Any, schema: Mapping[str, Any]) -> Check:
        names = tuple((name, tuple(dep)) for name, dep in v.items() if isinstance(dep, list))
        subs = tuple((name, self._schema(dep)) for name, dep in v.items() if not isinstance(dep, list))

        def check(x: Any, memo: dict[tuple[int, int], bool]) -> bool:
            if not isinstance(x, dict):
                return True
            return (all(name not in x or all(each in x for each in dep) for name, dep in names)
                    and all(name not in x or sub(x, memo) for name, sub in subs))
        return check

    def _k_type(self, v: Any, schema: Mapping[str, Any]) -> Check:
        names = v if isinstance(v, list) else [v]
        if not all(isinstance(name, str) and name in TYPES for name in names):
            raise Unsupported(f"type {v!r}")
        tests = tuple(TYPES[name] for name in names)
        return lambda x, memo: any(test(x) for test in tests)

    # the loops below are plain for loops (see properties_of)

    def _k_properties(self, v: Any, schema: Mapping[str, Any]) -> Check:
        return properties_of({name: self._schema(sub) for name, sub in v.items()})

    def _k_patternProperties(self, v: Any, schema: Mapping[str, Any]) -> Check:
        return patterns_of(tuple((searcher(pattern), self._schema(sub)) for pattern, sub in v.items()))

    def _k_additionalProperties(self, v: Any, schema: Mapping[str, Any]) -> Check | None:
        named = schema.get("properties", {})
        joined = "|".join(schema.get("patternProperties", {}))  # find_additional_properties' one pattern
        found = searcher(joined) if joined else lambda k: False

        if isinstance(v, dict):
            sub = self._schema(v)

            def check(x: Any, memo: dict[tuple[int, int], bool]) -> bool:
                if not isinstance(x, dict):
                    return True
                for k, value in x.items():  # noqa: SIM110 (a plain loop: see properties_of)
                    if k not in named and not found(k) and not sub(value, memo):
                        return False
                return True
            return check
        if not v:
            return lambda x, memo: not isinstance(x, dict) or all(k in named or found(k) for k in x)
        return None

    def _k_required(self, v: Any, schema: Mapping[str, Any]) -> Check:
        names = tuple(v)
        return lambda x, memo: not isinstance(x, dict) or all(name in x for name in names)

    def _k_minProperties(self, v: Any, schema: Mapping[str, Any]) -> Check:
        return lambda x, memo: not isinstance(x, dict) or not len(x) < v

    def _k_maxProperties(self, v: Any, schema: Mapping[str, Any]) -> Check:
        return lambda x, memo: not isinstance(x, dict) or not len(x) > v

    def _k_items(self, v: Any, schema: Mapping[str, Any]) -> Check:
        if isinstance(v, dict):
            sub = self._schema(v)
            return lambda x, memo: not isinstance(x, list) or all(sub(item, memo) for item in x)
        subs = tuple(self._schema(s) for s in v)
        return lambda x, memo: not isinstance(x, list) or all(s(item, memo) for item, s in zip(x, subs, strict=False))

    def _k_minItems(self, v: Any, schema: Mapping[str, Any]) -> Check:
        return lambda x, memo: not isinstance(x, list) or not len(x) < v

    def _k_uniqueItems(self, v: Any, schema: Mapping[str, Any]) -> Check | None:
        uniq = self._uniq
        return (lambda x, memo: not isinstance(x, list) or bool(uniq(x))) if v else None

    def _k_minimum(self, v: Any, schema: Mapping[str, Any]) -> Check:
        if schema.get("exclusiveMinimum", False):
            return lambda x, memo: not _is_number(x) or not x <= v
        return lambda x, memo: not _is_number(x) or not x < v

    def _k_pattern(self, v: Any, schema: Mapping[str, Any]) -> Check:
        pattern = re.compile(v)
        return lambda x, memo: not isinstance(x, str) or pattern.search(x) is not None

    def _k_enum(self, v: Any, schema: Mapping[str, Any]) -> Check:
        equal = self._equal
        return lambda x, memo: any(equal(each, x) for each in v)

    def _k_oneOf(self, v: Any, schema: Mapping[str, Any]) -> Check:
        return one_of(tuple(self._schema(s) for s in v))

    def _k_anyOf(self, v: Any, schema: Mapping[str, Any]) -> Check:
        subs = tuple(self._schema(s) for s in v)
        return lambda x, memo: any(sub(x, memo) for sub in subs)

    def _k_allOf(self, v: Any, schema: Mapping[str, Any]) -> Check:
        return all_of(tuple(self._schema(s) for s in v))

    def _k_not(self, v: Any, schema: Mapping[str, Any]) -> Check:
        sub = self._schema(v)
        return lambda x, memo: not sub(x, memo)


# The keyword checks both compilers build alike (this draft 4's, io.metaschema2020's 2020-12), from the
# checks of their subschemas. Plain for loops, not all() over a generator (a frame per step): they run
# ~100,000 times a document.

def remembered(target: list[Check], key: int) -> Check:
    """A ``$ref``'s check: its target's (``target[0]``, filled once compiled: refs recurse), its verdict on an
    object or array kept in the memo by (``key``, the instance) for the rest of the call."""
    def check(x: Any, memo: dict[tuple[int, int], bool]) -> bool:
        if type(x) is not dict and type(x) is not list:
            return target[0](x, memo)
        known = memo.get((key, id(x)))
        if known is None:
            known = memo[key, id(x)] = target[0](x, memo)
        return known
    return check


def properties_of(table: dict[str, Check]) -> Check:
    """``properties``: each named value valid against its schema."""
    def check(x: Any, memo: dict[tuple[int, int], bool]) -> bool:
        if not isinstance(x, dict):
            return True
        if len(x) < len(table):  # the same pairs, met from the smaller side
            for k, value in x.items():
                sub = table.get(k)
                if sub is not None and not sub(value, memo):
                    return False
            return True
        for name, sub in table.items():  # noqa: SIM110 (a plain loop)
            if name in x and not sub(x[name], memo):
                return False
        return True
    return check


def patterns_of(pairs: tuple[tuple[Callable[[str], Any], Check], ...]) -> Check:
    """``patternProperties``: each value whose key a pattern finds valid against that pattern's schema."""
    def check(x: Any, memo: dict[tuple[int, int], bool]) -> bool:
        if not isinstance(x, dict):
            return True
        for k, value in x.items():
            for found, sub in pairs:
                if found(k) and not sub(value, memo):
                    return False
        return True
    return check


def one_of(subs: tuple[Check, ...]) -> Check:
    """``oneOf``: exactly one subschema valid (a second one ends the count)."""
    def check(x: Any, memo: dict[tuple[int, int], bool]) -> bool:
        found = 0
        for sub in subs:
            if sub(x, memo):
                found += 1
                if found > 1:
                    return False
        return found == 1
    return check


def all_of(checks: tuple[Check, ...]) -> Check:
    if len(checks) == 1:
        return checks[0]

    def check(x: Any, memo: dict[tuple[int, int], bool]) -> bool:
        for each in checks:  # noqa: SIM110 (a plain loop: see properties_of)
            if not each(x, memo):
                return False
        return True
    return check


MAX_KEYS: Final = 1 << 16  # keys whose match a searcher keeps (a map's keys are data: unbounded over a follow)


def searcher(pattern: str) -> Callable[[Any], bool]:
    """``re.search(pattern, key)`` found or not (what jsonschema asks), kept per key: a document asks the
    same few keys (``type``, ``description``, ``x-...``) tens of thousands of times."""
    search = re.compile(pattern).search
    kept: dict[Any, bool] = {}

    def found(key: Any) -> bool:
        known = kept.get(key)
        if known is None:
            if len(kept) >= MAX_KEYS:
                kept.clear()
            known = kept[key] = search(key) is not None
        return known
    return found
