"""A JSON Schema 2020-12 metaschema (OpenAPI 3.1's document schema, and the OAS 3.1 schema object dialect)
compiled to a predicate that says whether an instance is valid against it: what jsonschema's
Draft202012Validator finds, without its errors, generators, validators evolved per descent and referencing
lookups (io.validate runs it before the library's walks: its dynamic refs are most of a 3.1 validation).

Each keyword mirrors jsonschema's function of that name (``MIRRORED``), ``unevaluatedProperties`` with its
``find_evaluated_property_keys_by_schema`` (which keys a schema evaluates, quirks and all). Refs are
resolved once, when compiling, by the library's own resolver: the resolver at a node of the walk depends
only on the refs that led there, never on the instance. A ``$dynamicRef`` resolves to the outermost resource
of the dynamic scope that has its anchor, so a node is compiled per (schema, base URI, the URIs of its
dynamic scope, oldest first, each once): equal keys resolve every ref below them alike, and the keys are
finite however deep the recursion; a ref's target is compiled when an instance first reaches it. A keyword
not mirrored, a subschema with ``$id`` (which would move a base), a ref the library cannot resolve:
:class:`Unsupported` when compiling (or when first reached), and the caller walks with the library alone.
``valid`` is exact both ways (tests/test_validate_metaschema2020.py holds it against the
library), yet io.validate takes only True from it: False is followed by the library's own walk. This module
imports no library: the resolver, the type checks, ``equal`` and ``uniq`` are handed in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping
from typing import Any, Final
from urllib.parse import urldefrag, urljoin

from specbuild.io.metaschema import all_of, one_of, patterns_of, properties_of, remembered, searcher

# (instance, memo of $ref verdicts by (target, id(instance)), valid for one call)
Check = Callable[[Any, dict[tuple[int, int], bool]], bool]
# the keys of an object a schema evaluates (jsonschema's find_evaluated_property_keys_by_schema)
Evaluated = Callable[[dict[str, Any], dict[tuple[int, int], bool]], set[str]]

MIRRORED: Final = {  # the keywords mirrored here, by the name of the jsonschema function Draft202012Validator runs
    "$dynamicRef": "jsonschema._keywords.dynamicRef", "$ref": "jsonschema._keywords.ref",
    "additionalProperties": "jsonschema._keywords.additionalProperties", "allOf": "jsonschema._keywords.allOf",
    "anyOf": "jsonschema._keywords.anyOf", "const": "jsonschema._keywords.const",
    "dependentSchemas": "jsonschema._keywords.dependentSchemas", "enum": "jsonschema._keywords.enum",
    "exclusiveMinimum": "jsonschema._keywords.exclusiveMinimum", "format": "jsonschema._keywords.format",
    "if": "jsonschema._keywords.if_", "items": "jsonschema._keywords.items",
    "maxProperties": "jsonschema._keywords.maxProperties", "minItems": "jsonschema._keywords.minItems",
    "minProperties": "jsonschema._keywords.minProperties", "minimum": "jsonschema._keywords.minimum",
    "not": "jsonschema._keywords.not_", "oneOf": "jsonschema._keywords.oneOf",
    "pattern": "jsonschema._keywords.pattern", "patternProperties": "jsonschema._keywords.patternProperties",
    "properties": "jsonschema._keywords.properties", "propertyNames": "jsonschema._keywords.propertyNames",
    "required": "jsonschema._keywords.required", "type": "jsonschema._keywords.type",
    "unevaluatedProperties": "jsonschema._keywords.unevaluatedProperties",
    "uniqueItems": "jsonschema._keywords.uniqueItems",
}


class Unsupported(Exception):
    """The metaschema uses what is not mirrored here: the library's walk must judge."""


class Metaschema2020:
    """``root`` (a 2020-12 schema) compiled, its refs looked up by ``resolver`` (the library validator's own,
    at the root); ``keywords`` names the function the validator runs for each keyword it knows; ``types``
    its type checker's test per type name (2020-12's: an object, an array, a string are read here as
    isinstance of dict, list, str, as it reads them); ``same_dialect(schema)`` whether a schema with
    ``$schema`` is walked by the same validator class; ``format_checker`` the validator's (None: formats
    not checked)."""

    def __init__(self, root: Any, resolver: Any, keywords: Mapping[str, str],
                 types: Mapping[str, Callable[[Any], bool]], equal: Callable[[Any, Any], bool],
                 uniq: Callable[[Any], bool], same_dialect: Callable[[Any], bool], format_checker: Any = None) -> None:
        self._keywords = keywords
        self._types = types
        self._equal = equal
        self._uniq = uniq
        self._same_dialect = same_dialect
        self._format_checker = format_checker
        self._targets: dict[Hashable, list[Check]] = {}  # a ref's target, per node key: filled once compiled
        self._evaluators: dict[Hashable, list[Evaluated]] = {}
        self._held: list[Any] = []  # the schemas compiled, kept alive: their ids key the nodes
        self._check = self._schema_at(root, resolver)

    def valid(self, instance: Any, memo: dict[tuple[int, int], bool] | None = None) -> bool:
        """Whether the library's validator of the root finds nothing wrong with ``instance``; ``memo`` keeps
        the verdicts on its objects for the next call, while they are all alive (by their ids). Raises
        Unsupported when the instance reaches a ref's target that cannot be compiled (no verdict)."""
        return self._check(instance, {} if memo is None else memo)

    # -- nodes and refs

    def _key(self, schema: Any, resolver: Any) -> Hashable:
        scope: dict[str, None] = {}
        for uri, _ in reversed(list(resolver.dynamic_scope())):  # oldest first, each once
            scope.setdefault(uri, None)
        self._held.append(schema)
        return id(schema), resolver._base_uri, tuple(scope)

    def _schema(self, schema: Any, resolver: Any) -> Check:
        """A subschema met in place (not by a ref): the library descends into it with the same resolver (it
        has no ``$id``) or, for ``not``, ``if`` and a oneOf's second look, the same validator."""
        if schema is True:
            return _always
        if schema is False:
            return _never
        if not isinstance(schema, dict):
            raise Unsupported(f"a schema that is not an object: {schema!r}")
        if "$id" in schema:
            raise Unsupported("an $id below a resource's root moves the base of its refs")
        if "$schema" in schema and not self._same_dialect(schema):
            raise Unsupported(f"$schema {schema['$schema']!r}")
        checks = [self._keyword(k, v, schema, resolver) for k, v in schema.items() if k in self._keywords]
        return all_of(tuple(check for check in checks if check is not None))

    def _ref(self, ref: Any, resolver: Any, memoized: bool = True) -> Check:
        target, index = self._target(ref, resolver)
        if not memoized:
            return lambda x, memo: target[0](x, memo)
        return remembered(target, index)

    def _target(self, ref: Any, resolver: Any) -> tuple[list[Check], int]:
        """The cell of ``ref``'s target as the library resolves it from ``resolver`` (filled once the node
        is compiled: refs recurse), and a number naming it in a memo."""
        contents, inner = self._lookup(ref, resolver)
        key = self._key(contents, inner)
        cell = self._targets.get(key)
        if cell is None:
            cell = self._targets[key] = []
            cell.append(_later(cell, lambda: self._schema_at(contents, inner)))
        return cell, id(cell)

    def _schema_at(self, schema: Any, resolver: Any) -> Check:
        """A ref's target (or the root): a resource's root may say its ``$id`` (its resolver is the one the
        library's lookup made for it)."""
        if isinstance(schema, dict) and "$id" in schema:
            schema = {k: v for k, v in schema.items() if k != "$id"}  # (its resolver is already in it)
            self._held.append(schema)
        return self._schema(schema, resolver)

    def _lookup(self, ref: Any, resolver: Any) -> tuple[Any, Any]:
        if not isinstance(ref, str):
            raise Unsupported(f"$ref {ref!r}")
        if not ref.startswith("#") and urldefrag(urljoin(resolver._base_uri, ref))[0] not in resolver._registry:
            raise Unsupported(f"$ref {ref!r}: not in the registry (compiling retrieves nothing)")
        try:
            resolved = resolver.lookup(ref)
        except Exception as exc:  # unresolvable: the library's walk raises it, as it would
            raise Unsupported(f"$ref {ref!r}: {exc}") from None
        return resolved.contents, resolved.resolver

    def _keyword(self, k: str, v: Any, schema: Mapping[str, Any], resolver: Any) -> Check | None:
        maker = getattr(self, "_k_" + k.lstrip("$"), None)
        if maker is None or MIRRORED.get(k) != self._keywords[k]:
            raise Unsupported(f"{k}: {self._keywords[k]}")
        check: Check | None = maker(v, schema, resolver)
        return check

    # -- each _k_NAME mirrors jsonschema's function for keyword NAME (MIRRORED); None: nothing to check

    def _k_ref(self, v: Any, schema: Mapping[str, Any], resolver: Any) -> Check:
        # no verdict kept per object: these metaschemas' $refs lead to vocabularies and definitions each
        # object meets once, where a memo costs more than it saves (GitHub n5000 3.1: 0.081 -> 0.066 s);
        # a $dynamicRef is where a schema recurses into its subschemas, the shared ones among them
        return self._ref(v, resolver, memoized=False)

    def _k_dynamicRef(self, v: Any, schema: Mapping[str, Any], resolver: Any) -> Check:
        return self._ref(v, resolver)

    def _k_type(self, v: Any, schema: Mapping[str, Any], resolver: Any) -> Check:
        names = v if isinstance(v, list) else [v]
        if not all(isinstance(name, str) and name in self._types for name in names):
            raise Unsupported(f"type {v!r}")
        tests = tuple(self._types[name] for name in names)
        if len(tests) == 1:
            test = tests[0]
            return lambda x, memo: test(x)
        return lambda x, memo: any(test(x) for test in tests)

    def _k_format(self, v: Any, schema: Mapping[str, Any], resolver: Any) -> Check | None:
        checker = self._format_checker  # jsonschema's format keyword: its check() raising is conforms() False
        return None if checker is None else lambda x, memo: bool(checker.conforms(x, v))

    def _k_properties(self, v: Any, schema: Mapping[str, Any], resolver: Any) -> Check:
        return properties_of({name: self._schema(sub, resolver) for name, sub in v.items()})

    def _k_patternProperties(self, v: Any, schema: Mapping[str, Any], resolver: Any) -> Check:
        return patterns_of(tuple((searcher(pattern), self._schema(sub, resolver)) for pattern, sub in v.items()))

    def _k_additionalProperties(self, v: Any, schema: Mapping[str, Any], resolver: Any) -> Check | None:
        extra = _extras(schema)
        if isinstance(v, dict):
            sub = self._schema(v, resolver)

            def check(x: Any, memo: dict[tuple[int, int], bool]) -> bool:
                if not isinstance(x, dict):
                    return True
                for k in extra(x):  # noqa: SIM110 (a plain loop)
                    if not sub(x[k], memo):
                        return False
                return True
            return check
        if not v:
            return lambda x, memo: not isinstance(x, dict) or not any(True for _ in extra(x))
        return None

    def _k_propertyNames(self, v: Any, schema: Mapping[str, Any], resolver: Any) -> Check:
        sub = self._schema(v, resolver)
        return lambda x, memo: not isinstance(x, dict) or all(sub(k, memo) for k in x)

    def _k_required(self, v: Any, schema: Mapping[str, Any], resolver: Any) -> Check:
        names = tuple(v)
        return lambda x, memo: not isinstance(x, dict) or all(name in x for name in names)

    def _k_minProperties(self, v: Any, schema: Mapping[str, Any], resolver: Any) -> Check:
        return lambda x, memo: not isinstance(x, dict) or not len(x) < v

    def _k_maxProperties(self, v: Any, schema: Mapping[str, Any], resolver: Any) -> Check:
        return lambda x, memo: not isinstance(x, dict) or not len(x) > v

    def _k_dependentSchemas(self, v: Any, schema: Mapping[str, Any], resolver: Any) -> Check:
        pairs = tuple((name, self._schema(sub, resolver)) for name, sub in v.items())

        def check(x: Any, memo: dict[tuple[int, int], bool]) -> bool:
            if not isinstance(x, dict):
                return True
            for name, sub in pairs:  # noqa: SIM110 (a plain loop)
                if name in x and not sub(x, memo):
                    return False
            return True
        return check

    def _k_unevaluatedProperties(self, v: Any, schema: Mapping[str, Any], resolver: Any) -> Check:
        evaluated = self._evaluated(schema, resolver)
        sub = self._schema(v, resolver)

        def check(x: Any, memo: dict[tuple[int, int], bool]) -> bool:
            if not isinstance(x, dict):
                return True
            seen = evaluated(x, memo)
            for k, value in x.items():  # noqa: SIM110 (a plain loop)
                if k not in seen and not sub(value, memo):
                    return False
            return True
        return check

    def _k_items(self, v: Any, schema: Mapping[str, Any], resolver: Any) -> Check:
        prefix = len(schema.get("prefixItems", []))
        if v is False:
            return lambda x, memo: not isinstance(x, list) or len(x) <= prefix
        sub = self._schema(v, resolver)
        return lambda x, memo: not isinstance(x, list) or all(sub(item, memo) for item in x[prefix:])

    def _k_minItems(self, v: Any, schema: Mapping[str, Any], resolver: Any) -> Check:
        return lambda x, memo: not isinstance(x, list) or not len(x) < v

    def _k_uniqueItems(self, v: Any, schema: Mapping[str, Any], resolver: Any) -> Check | None:
        uniq = self._uniq
        return (lambda x, memo: not isinstance(x, list) or bool(uniq(x))) if v else None

    def _k_minimum(self, v: Any, schema: Mapping[str, Any], resolver: Any) -> Check:
        number = self._types["number"]
        return lambda x, memo: not number(x) or not x < v

    def _k_exclusiveMinimum(self, v: Any, schema: Mapping[str, Any], resolver: Any) -> Check:
        number = self._types["number"]
        return lambda x, memo: not number(x) or not x <= v

    def _k_pattern(self, v: Any, schema: Mapping[str, Any], resolver: Any) -> Check:
        search = re.compile(v).search
        return lambda x, memo: not isinstance(x, str) or search(x) is not None

    def _k_enum(self, v: Any, schema: Mapping[str, Any], resolver: Any) -> Check:
        equal = self._equal
        return lambda x, memo: any(equal(each, x) for each in v)

    def _k_const(self, v: Any, schema: Mapping[str, Any], resolver: Any) -> Check:
        equal = self._equal
        return lambda x, memo: bool(equal(x, v))

    def _k_allOf(self, v: Any, schema: Mapping[str, Any], resolver: Any) -> Check:
        return all_of(tuple(self._schema(s, resolver) for s in v))

    def _k_anyOf(self, v: Any, schema: Mapping[str, Any], resolver: Any) -> Check:
        subs = tuple(self._schema(s, resolver) for s in v)
        return lambda x, memo: any(sub(x, memo) for sub in subs)

    def _k_oneOf(self, v: Any, schema: Mapping[str, Any], resolver: Any) -> Check:
        return one_of(tuple(self._schema(s, resolver) for s in v))

    def _k_not(self, v: Any, schema: Mapping[str, Any], resolver: Any) -> Check:
        sub = self._schema(v, resolver)
        return lambda x, memo: not sub(x, memo)

    def _k_if(self, v: Any, schema: Mapping[str, Any], resolver: Any) -> Check:
        test = self._schema(v, resolver)
        then = self._schema(schema["then"], resolver) if "then" in schema else _always
        otherwise = self._schema(schema["else"], resolver) if "else" in schema else _always
        return lambda x, memo: then(x, memo) if test(x, memo) else otherwise(x, memo)

    # -- the keys a schema evaluates, for unevaluatedProperties

    def _evaluated(self, schema: Any, resolver: Any) -> Evaluated:
        """jsonschema's ``find_evaluated_property_keys_by_schema(validator, instance, schema)``: a ref's
        target's keys whatever its verdict; a subschema of allOf, anyOf, oneOf, if's keys when it is valid."""
        if schema is True or schema is False:
            return _no_keys
        if not isinstance(schema, dict):
            raise Unsupported(f"a schema that is not an object: {schema!r}")
        parts: list[Evaluated] = []
        for keyword in ("$ref", "$dynamicRef"):
            if keyword in schema:
                parts.append(self._evaluated_ref(schema[keyword], resolver))
        properties = schema.get("properties")
        if isinstance(properties, dict):
            names = frozenset(properties)
            parts.append(lambda x, memo: x.keys() & names)
        for keyword in ("additionalProperties", "unevaluatedProperties"):
            if schema.get(keyword) is not None:
                parts.append(self._evaluated_valid(self._schema(schema[keyword], resolver)))
        if "patternProperties" in schema:
            found = tuple(searcher(pattern) for pattern in schema["patternProperties"])
            parts.append(lambda x, memo: {k for k in x if any(f(k) for f in found)})
        if "dependentSchemas" in schema:
            parts.append(self._evaluated_dependent(schema["dependentSchemas"], resolver))
        for keyword in ("allOf", "oneOf", "anyOf"):
            for sub in schema.get(keyword, []):
                parts.append(self._evaluated_if_valid(self._schema(sub, resolver), self._evaluated(sub, resolver)))
        if "if" in schema:
            parts.append(self._evaluated_if(schema, resolver))
        return _union(tuple(parts))

    def _evaluated_ref(self, ref: Any, resolver: Any) -> Evaluated:
        contents, inner = self._lookup(ref, resolver)
        key = self._key(contents, inner)
        cell = self._evaluators.get(key)
        if cell is None:
            cell = self._evaluators[key] = []
            cell.append(_later(cell, lambda: self._evaluated(contents, inner)))
        return lambda x, memo: cell[0](x, memo)

    def _evaluated_valid(self, sub: Check) -> Evaluated:
        return lambda x, memo: {k for k, value in x.items() if sub(value, memo)}

    def _evaluated_dependent(self, v: Any, resolver: Any) -> Evaluated:
        pairs = tuple((name, self._evaluated(sub, resolver)) for name, sub in v.items())

        def keys(x: dict[str, Any], memo: dict[tuple[int, int], bool]) -> set[str]:
            out: set[str] = set()
            for name, evaluated in pairs:
                if name in x:
                    out |= evaluated(x, memo)
            return out
        return keys

    def _evaluated_if_valid(self, sub: Check, evaluated: Evaluated) -> Evaluated:
        return lambda x, memo: evaluated(x, memo) if sub(x, memo) else set()

    def _evaluated_if(self, schema: Mapping[str, Any], resolver: Any) -> Evaluated:
        test, tested = self._schema(schema["if"], resolver), self._evaluated(schema["if"], resolver)
        then = self._evaluated(schema["then"], resolver) if "then" in schema else _no_keys
        otherwise = self._evaluated(schema["else"], resolver) if "else" in schema else _no_keys

        def keys(x: dict[str, Any], memo: dict[tuple[int, int], bool]) -> set[str]:
            if test(x, memo):
                return tested(x, memo) | then(x, memo)
            return otherwise(x, memo)
        return keys


def _later(cell: list[Any], make: Callable[[], Any]) -> Any:
    """A ref target's check (or evaluator) that compiles it when first called, and puts it in its cell: a
    metaschema's targets are compiled as far as the instances reach (most of OpenAPI 3.1's document schema,
    callbacks, links, security flows, a document never meets). What cannot be compiled raises Unsupported
    whenever it is met (``valid`` is then no verdict)."""
    def first(x: Any, memo: dict[tuple[int, int], bool]) -> Any:
        try:
            made = make()
        except Unsupported as exc:
            reason = str(exc)

            def made(x: Any, memo: dict[tuple[int, int], bool]) -> Any:
                raise Unsupported(reason)
        cell[0] = made
        return made(x, memo)
    return first


def _always(x: Any, memo: dict[tuple[int, int], bool]) -> bool:
    return True


def _never(x: Any, memo: dict[tuple[int, int], bool]) -> bool:
    return False


def _no_keys(x: dict[str, Any], memo: dict[tuple[int, int], bool]) -> set[str]:
    return set()


def _union(parts: tuple[Evaluated, ...]) -> Evaluated:
    if not parts:
        return _no_keys

    def keys(x: dict[str, Any], memo: dict[tuple[int, int], bool]) -> set[str]:
        out: set[str] = set()
        for part in parts:
            out |= part(x, memo)
        return out
    return keys


def _extras(schema: Mapping[str, Any]) -> Callable[[dict[str, Any]], Any]:
    """jsonschema's find_additional_properties: keys neither in ``properties`` nor found by the one pattern
    its ``patternProperties`` join into."""
    named = schema.get("properties", {})
    joined = "|".join(schema.get("patternProperties", {}))
    found = searcher(joined) if joined else None
    if found is None:
        return lambda x: (k for k in x if k not in named)
    return lambda x: (k for k in x if k not in named and not found(k))
