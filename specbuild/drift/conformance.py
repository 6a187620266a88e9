"""Does a JSON value conform to a schema, fully documented? A compiled fast path; pure, stdlib only.

``Conformance(schema).ok(value)`` answers "valid, and every property documented" in about a tenth of
a microsecond per JSON node, where jsonschema needs several. It is a *filter*, never the judge: when
``ok`` is True the value is valid for jsonschema (it is at least as strict on every keyword it knows,
and answers False for any keyword it does not know), so only what it rejects goes to
:mod:`specbuild.io.validate` for the exact errors, and to :meth:`Conformance.undocumented` for the
properties the schema does not name.

Why generated code: the check runs for every body of every exchange, and the issue asks for 30,000
exchanges/s on one core. A tree of closures costs a Python call per JSON node; here each schema
becomes one Python function (nested schemas inlined as nested loops, ``$ref`` targets and
alternatives as functions of their own) whose source holds no value from the spec: every constant is
passed in by name, property names are ``repr``-quoted literals, bounds are numbers.

A property is *undocumented* when its object's schema lists ``properties`` and says nothing about
``additionalProperties`` (a schema with neither is a free-form object: nothing there is undocumented).
``schema`` must be self-contained (see :func:`specbuild.refs.self_contained`): ``$ref``s point into
its own ``$defs``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from specbuild import formats
from specbuild.patterns import compile_pattern
from specbuild.refs import lookup, merge_all_of

Check = Callable[[Any], bool]

_NONE: Final = type(None)
PY_TYPES: Final[dict[str, frozenset[type]]] = {
    "string": frozenset({str}), "integer": frozenset({int}), "number": frozenset({int, float}),
    "boolean": frozenset({bool}), "null": frozenset({_NONE}), "object": frozenset({dict}),
    "array": frozenset({list}),
}
ALL_TYPES: Final[frozenset[type]] = frozenset({str, int, float, bool, _NONE, dict, list})
_TYPE_NAMES: Final = {str: "str", int: "int", float: "float", bool: "bool", _NONE: "NoneType", dict: "dict",
                      list: "list"}
# Keywords jsonschema 2020-12 evaluates that this compiler does not: a schema using one is never "ok"
# here, so its values always get the exact (slow) check.
UNSUPPORTED: Final = frozenset({
    "multipleOf", "not", "if", "then", "else", "dependentSchemas", "prefixItems", "contains",
    "patternProperties", "propertyNames", "unevaluatedItems", "unevaluatedProperties", "maxContains",
    "minContains", "dependentRequired", "$dynamicRef",
})
# Keywords that never change whether a value is valid.
ANNOTATIONS: Final = frozenset({
    "title", "description", "default", "example", "examples", "deprecated", "readOnly", "writeOnly",
    "xml", "externalDocs", "discriminator", "$comment", "$schema", "$id", "$defs", "definitions",
    "contentMediaType", "contentEncoding", "contentSchema", "type", "nullable", "format",
})
# Formats jsonschema checks here but this module does not (strings with them always get the slow check).
SLOW_FORMATS: Final = frozenset({"idn-email", "idn-hostname", "json-pointer", "regex",
                                 "relative-json-pointer"})
MAX_UNDOCUMENTED: Final = 50
MAX_BLOCKS: Final = 14      # CPython allows 20 statically nested blocks; deeper schemas get a function
MAX_BRANCHES: Final = 8     # complex properties tested by name in a chain; more go through a dict


class Conformance:
    """Compiled checks for one self-contained OpenAPI schema (3.0 ``nullable`` or 3.1 type lists).

    ``ok(v)``: valid and fully documented (the fast filter, compiled at once); ``valid(v)``: valid,
    whatever extra properties it has; ``undocumented(v)``: where the extra properties are. The last two
    are compiled on first use: most schemas never need them.
    """

    __slots__ = ("_collect", "_openapi", "_root", "_valid", "ok")

    def __init__(self, schema: Mapping[str, Any], openapi: str = "3.0") -> None:
        self._root = dict(schema)
        self._openapi = openapi
        self.ok: Check = _Codegen(self._root, openapi, strict=True).build()
        self._valid: Check | None = None
        self._collect: Callable[[Any, str, list[str]], None] | None = None

    def valid(self, value: Any) -> bool:
        """True only when jsonschema agrees the value is valid (extra properties allowed)."""
        if self._valid is None:
            self._valid = _Codegen(self._root, self._openapi, strict=False).build()
        return self._valid(value)

    def undocumented(self, value: Any, limit: int = MAX_UNDOCUMENTED) -> list[str]:
        """Where ``value`` has properties its schema does not name (``items[0].extra``), at most ``limit``."""
        if self._collect is None:
            self._collect = _Collector(self._root, self._openapi).build()
        out: list[str] = []
        self._collect(value, "", out)
        return [p[1:] if p.startswith(".") else p for p in out[:limit]]


def _allowed(schema: Mapping[str, Any], openapi: str) -> frozenset[type]:
    """The Python types a schema's ``type`` lets through (all of them when it has none)."""
    t = schema.get("type")
    if t is None:
        return ALL_TYPES
    names = [t] if isinstance(t, str) else [x for x in t if isinstance(x, str)] if isinstance(t, list) else []
    allowed: frozenset[type] = frozenset()
    for name in names:
        allowed |= PY_TYPES.get(name, frozenset())
    if _nullable(schema, openapi):
        allowed |= {_NONE}
    return allowed


def _nullable(schema: Mapping[str, Any], openapi: str) -> bool:
    """3.0 ``nullable`` widens a single type (and its enum), exactly as validate.to_json_schema does."""
    return (openapi.startswith("3.0") and schema.get("nullable") is True
            and isinstance(schema.get("type"), str))


def _dereferenced(root: Mapping[str, Any], schema: Any, missing: Any) -> Any:
    """``schema`` with its ``$ref``s followed (16 at most: a cycle stops there); ``missing`` for a dangling one."""
    for _ in range(16):
        if not isinstance(schema, dict) or not isinstance(schema.get("$ref"), str):
            break
        try:
            schema = lookup(root, schema["$ref"])
        except KeyError:
            return missing
    return schema


def _declared(root: Mapping[str, Any], openapi: str, schema: Any) -> frozenset[type] | None:
    """The types a schema declares outright ($refs followed), or None when it does not say."""
    schema = _dereferenced(root, schema, None)
    if not isinstance(schema, dict) or "type" not in schema:
        return None
    return _allowed(schema, openapi)


class _Writer:
    """What both code writers share: fresh names, constants in the namespace, compiling the source."""

    def __init__(self, root: dict[str, Any], openapi: str, builtins: dict[str, Any]) -> None:
        self.root = root
        self.openapi = openapi
        self.ns: dict[str, Any] = {"__builtins__": builtins}
        self.sources: list[str] = []
        self.refs: dict[str, str] = {}
        self.n = 0

    def fresh(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def const(self, value: Any, prefix: str = "C") -> str:
        name = self.fresh(prefix)
        self.ns[name] = value
        return name

    def compiled(self) -> None:
        exec(compile("\n".join(self.sources), "<conformance>", "exec"), self.ns)  # source: see module doc


class _Codegen(_Writer):
    """Writes the Python source of the checks for one schema, then compiles it."""

    def __init__(self, root: dict[str, Any], openapi: str, *, strict: bool) -> None:
        super().__init__(root, openapi, {"dict": dict, "list": list, "str": str, "int": int, "float": float,
                                         "bool": bool, "type": type, "len": len, "True": True, "False": False})
        self.ns["NoneType"] = _NONE
        self.strict = strict  # an unnamed key fails the check (ok) or passes (valid)
        self.late: list[tuple[dict[str, Any], dict[str, str]]] = []

    def build(self) -> Check:
        name = self.function(self.root, 0)
        self.compiled()
        for table, names in self.late:
            table.update({key: self.ns[fname] for key, fname in names.items()})
        check: Check = self.ns[name]
        return check

    def function(self, schema: Any, depth: int) -> str:
        name = self.fresh("f")
        body: list[str] = []
        self.emit(schema, "v", body, 1, 0, depth)
        self.sources.append(f"def {name}(v):\n" + "".join(line + "\n" for line in body) + "    return True\n")
        return name

    def emit(self, schema: Any, var: str, out: list[str], indent: int, blocks: int, depth: int) -> None:
        """Lines that ``return False`` unless the value in ``var`` is ok for ``schema``."""
        pad = "    " * indent
        if schema is True or schema == {}:
            return
        if not isinstance(schema, dict) or depth > 64:
            out.append(f"{pad}return False")
            return
        if blocks >= MAX_BLOCKS:
            out.append(f"{pad}if not {self.function(schema, depth)}({var}): return False")
            return
        ref = schema.get("$ref")
        if isinstance(ref, str):
            fname = self.ref(ref, depth)
            if self.openapi.startswith("3.0") and schema.get("nullable") is True:
                out.append(f"{pad}if {var} is not None and not {fname}({var}): return False")
            else:
                out.append(f"{pad}if not {fname}({var}): return False")
            return
        if self.openapi.startswith("3.0") and schema.get("nullable") is True and "type" not in schema \
                and any(k in schema for k in ("anyOf", "oneOf", "allOf")):
            # as validate.to_json_schema reads it: the whole composite, or null
            out.append(f"{pad}if {var} is not None:")
            out.append(f"{pad}    pass")
            inner = {k: v for k, v in schema.items() if k != "nullable"}
            self.emit(inner, var, out, indent + 1, blocks + 1, depth)
            return
        if "allOf" in schema:
            schema = merge_all_of(schema, self.root)
        if any(key in schema for key in UNSUPPORTED):
            out.append(f"{pad}return False")
            return
        allowed = _allowed(schema, self.openapi)
        if allowed != ALL_TYPES:
            if len(allowed) == 1:
                out.append(f"{pad}if type({var}) is not {_TYPE_NAMES[next(iter(allowed))]}: return False")
            else:
                out.append(f"{pad}if type({var}) not in {self.const(allowed, 'T')}: return False")
        self.values(schema, var, out, pad)
        self.typed(schema, allowed, var, out, indent, blocks, depth)
        self.composites(schema, var, out, pad, depth)

    def ref(self, ref: str, depth: int) -> str:
        fname = self.refs.get(ref)
        if fname is None:
            fname = self.refs[ref] = self.fresh("r")  # named first: a recursive schema calls itself
            try:
                target = lookup(self.root, ref)
            except KeyError:
                target = {}
            body: list[str] = []
            self.emit(target, "v", body, 1, 0, depth + 1)
            self.sources.append(f"def {fname}(v):\n" + "".join(x + "\n" for x in body) + "    return True\n")
        return fname

    def values(self, schema: dict[str, Any], var: str, out: list[str], pad: str) -> None:
        if isinstance(schema.get("enum"), list):
            values = list(schema["enum"])
            if _nullable(schema, self.openapi) and None not in values:
                values.append(None)
            out.append(f"{pad}if not {self.const(_member(values), 'E')}({var}): return False")
        if "const" in schema:
            out.append(f"{pad}if not {self.const(_member([schema['const']]), 'E')}({var}): return False")

    def typed(self, schema: dict[str, Any], allowed: frozenset[type], var: str, out: list[str], indent: int,
              blocks: int, depth: int) -> None:
        """Checks that apply to one JSON type, each under a guard unless that is the only type allowed."""
        for types, writer in (({dict}, self.object), ({list}, self.array), ({str}, self.string),
                              ({int, float}, self.number)):
            if not allowed & types:
                continue
            lines: list[str] = []
            guarded = not allowed <= types
            writer(schema, var, lines, indent + guarded, blocks + guarded, depth)
            if not lines:
                continue
            if guarded:
                test = " or ".join(f"type({var}) is {_TYPE_NAMES[t]}" for t in sorted(types, key=str))
                out.append(f"{'    ' * indent}if {test}:")
            out.extend(lines)

    def object(self, schema: dict[str, Any], var: str, out: list[str], indent: int, blocks: int,
               depth: int) -> None:
        pad = "    " * indent
        props = schema.get("properties")
        self.object_size(schema, var, out, pad)
        ap = schema.get("additionalProperties")
        closed = ap is False or (ap is None and isinstance(props, dict) and self.strict)  # an unnamed key is not ok
        if not closed and (ap is None or ap is True or ap == {}) and not self.checks_values(props):
            return  # a free-form object, or one whose named values need no check
        leaves: dict[str, frozenset[type]] = {}
        branches: dict[str, Any] = {}
        for name, sub in sorted((props or {}).items()):
            leaf = self.leaf(sub)
            if leaf is not None:
                leaves[name] = leaf
            else:
                branches[name] = sub
        k, x = self.fresh("k"), self.fresh("x")
        if closed and not branches:  # the common shape: named scalars only
            self.closed_scalars(leaves, var, k, x, out, pad)
            return
        out.append(f"{pad}for {k}, {x} in {var}.items():")
        inner = pad + "    "
        keyword = self.leaf_types(leaves, branches, closed, var, k, x, out, pad) if leaves else "if"
        if len(branches) > MAX_BRANCHES:
            table: dict[str, Any] = {}
            self.late.append((table, {name: self.function(sub, depth + 1) for name, sub in branches.items()}))
            name = self.const(table, "D")
            out.append(f"{inner}{keyword} {k} in {name}:")
            out.append(f"{inner}    if not {name}[{k}]({x}): return False")
            keyword = "elif"
        else:
            for prop, sub in branches.items():
                out.append(f"{inner}{keyword} {k} == {prop!r}:")
                out.append(f"{inner}    pass")
                self.emit(sub, x, out, indent + 2, blocks + 2, depth + 1)
                keyword = "elif"
        if closed:
            out.append(f"{inner}{'else' if keyword == 'elif' else 'if True'}:")
            out.append(f"{inner}    return False")
        elif ap not in (None, True, {}):
            out.append(f"{inner}{'else' if keyword == 'elif' else 'if True'}:")
            out.append(f"{inner}    pass")
            self.emit(ap, x, out, indent + 2, blocks + 2, depth + 1)

    def object_size(self, schema: dict[str, Any], var: str, out: list[str], pad: str) -> None:
        """``required``, ``minProperties`` and ``maxProperties``: tested before any value."""
        required = sorted({r for r in schema.get("required") or () if isinstance(r, str)})
        if required:
            out.append(f"{pad}if not {var}.keys() >= {self.const(frozenset(required), 'R')}: return False")
        _length_bounds(schema, "minProperties", "maxProperties", var, pad, out)

    def closed_scalars(self, leaves: dict[str, frozenset[type]], var: str, k: str, x: str, out: list[str],
                       pad: str) -> None:
        """A closed object of named scalars: its keys are a subset of the names, each value of its types."""
        if not leaves:
            out.append(f"{pad}if {var}: return False")
            return
        out.append(f"{pad}if not {self.const(frozenset(leaves), 'K')}.issuperset({var}): return False")
        out.append(f"{pad}for {k}, {x} in {var}.items():")
        out.append(f"{pad}    if type({x}) not in {self.const(leaves, 'L')}[{k}]: return False")

    def leaf_types(self, leaves: dict[str, frozenset[type]], branches: dict[str, Any], closed: bool, var: str,
                   k: str, x: str, out: list[str], pad: str) -> str:
        """Inside the loop over the items: the type test of a named scalar; the keyword that follows."""
        inner = pad + "    "
        t = self.fresh("t")
        if closed:
            # every key is known (checked at once, in C): subscript, with None for the structured ones
            known: dict[str, frozenset[type] | None] = {**leaves, **dict.fromkeys(branches)}
            out.insert(len(out) - 1, f"{pad}if not {self.const(frozenset(known), 'K')}.issuperset({var}): "
                       "return False")
            out.append(f"{inner}{t} = {self.const(known, 'L')}[{k}]")
        else:
            out.append(f"{inner}{t} = {self.const(leaves, 'L')}.get({k})")
        out.append(f"{inner}if {t} is not None:")
        out.append(f"{inner}    if type({x}) not in {t}: return False")
        return "elif"

    def checks_values(self, props: Any) -> bool:
        return isinstance(props, dict) and any(self.leaf(sub) != ALL_TYPES for sub in props.values())

    def leaf(self, schema: Any) -> frozenset[type] | None:
        """The allowed types, when a schema checks nothing but its type."""
        if schema is True or schema == {}:
            return ALL_TYPES
        if not isinstance(schema, dict) or not all(k in ANNOTATIONS or k.startswith("x-") for k in schema):
            return None
        fmt = schema.get("format")
        if isinstance(fmt, str) and (fmt in FORMATS or fmt in SLOW_FORMATS):
            return None
        return _allowed(schema, self.openapi)

    def array(self, schema: dict[str, Any], var: str, out: list[str], indent: int, blocks: int,
              depth: int) -> None:
        pad = "    " * indent
        _length_bounds(schema, "minItems", "maxItems", var, pad, out)
        if schema.get("uniqueItems") is True:
            out.append(f"{pad}if not {self.const(_unique, 'U')}({var}): return False")
        items = schema.get("items")
        if items is None:
            return
        if isinstance(items, list):
            out.append(f"{pad}return False")
            return
        leaf = self.leaf(items)
        if leaf == ALL_TYPES:
            return
        x = self.fresh("x")
        out.append(f"{pad}for {x} in {var}:")
        if leaf is not None and len(leaf) == 1:
            out.append(f"{pad}    if type({x}) is not {_TYPE_NAMES[next(iter(leaf))]}: return False")
        elif leaf is not None:
            out.append(f"{pad}    if type({x}) not in {self.const(leaf, 'T')}: return False")
        else:
            out.append(f"{pad}    pass")
            self.emit(items, x, out, indent + 1, blocks + 1, depth + 1)

    def string(self, schema: dict[str, Any], var: str, out: list[str], indent: int, blocks: int,
               depth: int) -> None:
        pad = "    " * indent
        _length_bounds(schema, "minLength", "maxLength", var, pad, out)
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            search = compile_pattern(pattern).search
            if search is None:  # not run here: jsonschema (specbuild.io.validate) reports it
                out.append(f"{pad}return False")
                return
            out.append(f"{pad}if not {self.const(search, 'P')}({var}): return False")
        fmt = schema.get("format")
        if isinstance(fmt, str):
            if fmt in SLOW_FORMATS:
                out.append(f"{pad}return False")
            elif fmt in PATTERN_FORMATS:
                out.append(f"{pad}if {self.const(PATTERN_FORMATS[fmt], 'P')}.fullmatch({var}) is None: "
                           "return False")
            elif fmt in FORMATS:
                out.append(f"{pad}if not {self.const(FORMATS[fmt], 'F')}({var}): return False")

    def number(self, schema: dict[str, Any], var: str, out: list[str], indent: int, blocks: int,
               depth: int) -> None:
        pad = "    " * indent
        lo, hi = schema.get("minimum"), schema.get("maximum")
        xlo, xhi = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
        if xlo is True:  # OpenAPI 3.0: a flag on minimum
            lo, xlo = None, lo
        if xhi is True:
            hi, xhi = None, hi
        for bound, op in ((lo, "<"), (hi, ">"), (xlo, "<="), (xhi, ">=")):
            if isinstance(bound, int | float) and not isinstance(bound, bool) and bound == bound:
                # repr(inf) is the name `inf`, no literal: an infinite bound (YAML `.inf`) goes by name
                shown = repr(bound) if isinstance(bound, int) or math.isfinite(bound) else self.const(bound, "N")
                out.append(f"{pad}if {var} {op} {shown}: return False")

    def composites(self, schema: dict[str, Any], var: str, out: list[str], pad: str, depth: int) -> None:
        rest = schema.get("allOf")
        if isinstance(rest, list):  # what merge_all_of could not merge: each branch must hold on its own
            for branch in rest:
                out.append(f"{pad}if not {self.function(branch, depth + 1)}({var}): return False")
        any_of = schema.get("anyOf")
        if isinstance(any_of, list):
            calls = " or ".join(f"{self.function(b, depth + 1)}({var})" for b in any_of) or "False"
            out.append(f"{pad}if not ({calls}): return False")
        one_of = schema.get("oneOf")
        if isinstance(one_of, list):
            table: dict[str, Any] = {}
            names = {str(i): self.function(b, depth + 1) for i, b in enumerate(one_of)}
            self.late.append((table, names))
            refuters = [_refuter(self.root, self.openapi, b) for b in one_of]
            helper = _one_of(table, refuters)
            out.append(f"{pad}if not {self.const(helper, 'O')}({var}): return False")


class _Collector(_Writer):
    """Writes the functions that list undocumented properties: ``f(value, prefix, out)`` appends
    ``prefix.key`` for each key an object's schema does not name (see the module doc), walking only
    where the schema has structure. Alternatives (anyOf/oneOf) take the branch that documents the
    value best: one that admits its type, then the fewest undocumented properties."""

    def __init__(self, root: dict[str, Any], openapi: str) -> None:
        super().__init__(root, openapi, {"type": type, "str": str, "dict": dict, "list": list,
                                         "enumerate": enumerate})
        self.late: list[tuple[list[Any], list[str]]] = []

    def build(self) -> Callable[[Any, str, list[str]], None]:
        name = self.function(self.root, 0)
        self.compiled()
        for table, names in self.late:
            table.extend(self.ns[fname] for fname in names)
        collect: Callable[[Any, str, list[str]], None] = self.ns[name]
        return collect

    def function(self, schema: Any, depth: int, name: str | None = None) -> str:
        name = name or self.fresh("c")
        body: list[str] = []
        self.emit(schema, "v", "p", body, 1, 0, depth)
        lines = "".join(x + "\n" for x in body)
        self.sources.append(f"def {name}(v, p, out):\n{lines}    return None\n")
        return name

    def resolved(self, schema: Any) -> dict[str, Any] | None:
        for _ in range(16):
            if not isinstance(schema, dict):
                return None
            if not isinstance(schema.get("$ref"), str):
                return merge_all_of(schema, self.root) if "allOf" in schema else schema
            try:
                schema = lookup(self.root, schema["$ref"])
            except KeyError:
                return None
        return None

    def inert(self, schema: Any, depth: int = 0) -> bool:
        """Whether nothing under this schema can be undocumented (no properties, items or branches)."""
        s = self.resolved(schema)
        if s is None:
            return True
        if depth > 8:
            return False
        return ("properties" not in s and not isinstance(s.get("additionalProperties"), dict)
                and not isinstance(s.get("items"), dict)
                and not any(k in s for k in ("anyOf", "oneOf", "allOf")))

    def emit(self, schema: Any, var: str, path: str, out: list[str], indent: int, blocks: int,
             depth: int) -> None:
        pad = "    " * indent
        if not isinstance(schema, dict) or depth > 64 or self.inert(schema):
            return
        ref = schema.get("$ref")
        if blocks >= MAX_BLOCKS or isinstance(ref, str):
            if isinstance(ref, str):
                fname = self.refs.get(ref)
                if fname is None:
                    fname = self.refs[ref] = self.fresh("r")
                    target = self.resolved(schema)
                    self.function(target if target is not None else {}, depth + 1, fname)
            else:
                fname = self.function(schema, depth)
            out.append(f"{pad}{fname}({var}, {path}, out)")
            return
        s = merge_all_of(schema, self.root) if "allOf" in schema else schema
        self.object(s, var, path, out, indent, blocks, depth)
        items = s.get("items")
        if isinstance(items, dict) and not self.inert(items):
            i, x = self.fresh("i"), self.fresh("x")
            out.append(f"{pad}if type({var}) is list:")
            out.append(f"{pad}    for {i}, {x} in enumerate({var}):")
            out.append(f"{pad}        pass")
            self.emit(items, x, f'{path} + "[" + str({i}) + "]"', out, indent + 2, blocks + 2, depth + 1)
        for key in ("anyOf", "oneOf"):
            branches = s.get(key)
            if isinstance(branches, list) and branches:
                table: list[Any] = []
                self.late.append((table, [self.function(b, depth + 1) for b in branches]))
                declared = [_declared(self.root, self.openapi, b) for b in branches]
                out.append(f"{pad}{self.const(_best(table, declared), 'B')}({var}, {path}, out)")
        for branch in s.get("allOf") or ():
            out.append(f"{pad}{self.function(branch, depth + 1)}({var}, {path}, out)")

    def object(self, s: dict[str, Any], var: str, path: str, out: list[str], indent: int, blocks: int,
               depth: int) -> None:
        pad = "    " * indent
        props = s.get("properties")
        ap = s.get("additionalProperties")
        closed = isinstance(props, dict) and ap is None and "allOf" not in s
        deeper = {name: sub for name, sub in sorted((props or {}).items()) if not self.inert(sub)}
        extra = ap if isinstance(ap, dict) and not self.inert(ap) else None
        if not closed and not deeper and extra is None:
            return
        k, x = self.fresh("k"), self.fresh("x")
        here = f'{path} + "." + {k}'
        out.append(f"{pad}if type({var}) is dict:")
        out.append(f"{pad}    for {k}, {x} in {var}.items():")
        inner = pad + "        "
        keyword = "if"
        for name, sub in deeper.items():
            out.append(f"{inner}{keyword} {k} == {name!r}:")
            out.append(f"{inner}    pass")
            self.emit(sub, x, here, out, indent + 3, blocks + 3, depth + 1)
            keyword = "elif"
        if closed:
            known = self.const(frozenset(props or ()), "K")
            out.append(f"{inner}{keyword} {k} not in {known}:")
            out.append(f"{inner}    out.append({here})")
        elif extra is not None:
            known = self.const(frozenset(props or ()), "K")
            out.append(f"{inner}{keyword} {k} not in {known}:")
            out.append(f"{inner}    pass")
            self.emit(extra, x, here, out, indent + 3, blocks + 3, depth + 1)


def _best(table: list[Callable[[Any, str, list[str]], None]],
          declared: list[frozenset[type] | None]) -> Callable[[Any, str, list[str]], None]:
    def best(v: Any, p: str, out: list[str]) -> None:
        chosen: tuple[int, int, list[str]] | None = None
        for collect, types in zip(table, declared, strict=True):
            found: list[str] = []
            collect(v, p, found)
            rank = (0 if types is None or type(v) in types else 1, len(found))
            if chosen is None or rank < chosen[:2]:
                chosen = (*rank, found)
        if chosen is not None:
            out.extend(chosen[2])

    return best


def _one_of(table: dict[str, Check], refuters: list[Check]) -> Check:
    """Exactly one branch holds. To be sure no other does, each other branch must be refuted by a
    definite failure (wrong type, a required property missing, a closed object with an extra key).
    Branches told apart any subtler way are left to the slow check."""
    keys = [str(i) for i in range(len(refuters))]

    def one_of(v: Any) -> bool:
        alive = [key for key, refute in zip(keys, refuters, strict=True) if not refute(v)]
        return len(alive) == 1 and table[alive[0]](v)

    return one_of


def _refuter(root: Mapping[str, Any], openapi: str, schema: Any) -> Check:
    """A check that answers True only when the value certainly fails ``schema`` for jsonschema."""
    schema = _dereferenced(root, schema, {})
    if not isinstance(schema, dict):
        return lambda v: False
    if "allOf" in schema:
        schema = merge_all_of(schema, root)
    types = _allowed(schema, openapi) if "type" in schema else None
    required = frozenset(r for r in schema.get("required") or () if isinstance(r, str))
    props = schema.get("properties")
    closed = frozenset(props) if schema.get("additionalProperties") is False and isinstance(props, dict) \
        else None

    def refute(v: Any) -> bool:
        t = type(v)
        if types is not None and t not in types:
            # 1.0 is an integer for jsonschema
            return not (t is float and int in types and v.is_integer())
        if t is dict:
            if required and not v.keys() >= required:
                return True
            if closed is not None and not closed.issuperset(v):
                return True
        return False

    return refute


def _member(values: list[Any]) -> Check:
    keys = {_key(v) for v in values if not isinstance(v, dict | list)}

    def member(v: Any) -> bool:
        # an object or array value: in the enum or not, leave the exact answer to jsonschema
        return not isinstance(v, dict | list) and _key(v) in keys

    return member


def _unique(values: list[Any]) -> bool:
    """No two items equal, for scalars; objects and arrays are left to jsonschema."""
    if any(isinstance(v, dict | list) for v in values):
        return False
    return len({_key(v) for v in values}) == len(values)


def _key(v: Any) -> tuple[bool, Any]:
    return (v.__class__ is bool, v)




# -- formats: each accepts a subset of what jsonschema's checker accepts -----------------------------
# The patterns are the learner's (specbuild.formats: what a spec says a string is, this checks); a
# match is enough (days per month are in the date patterns). E-mail differs on purpose: jsonschema only
# asks for an "@", and so does this filter, where the learner tags only strict addresses.
_DATE_TIME, _DATE, _TIME, _UUID, _IPV4 = (re.compile(p, re.ASCII) for p in (
    formats.DATE_TIME, formats.DATE, formats.TIME, formats.UUID, formats.IPV4))

# Formats checked by a pattern alone: the generated code calls the pattern, not a function.
PATTERN_FORMATS: Final = {"date-time": _DATE_TIME, "date": _DATE, "time": _TIME, "uuid": _UUID, "ipv4": _IPV4}


def _matches(rx: re.Pattern[str]) -> Check:
    return lambda s: rx.fullmatch(s) is not None


FORMATS: Final[dict[str, Check]] = {
    **{name: _matches(rx) for name, rx in PATTERN_FORMATS.items()},
    "email": lambda s: "@" in s,
    "ipv6": formats.is_ipv6,
}


def _length_bounds(schema: dict[str, Any], low: str, high: str, var: str, pad: str, out: list[str]) -> None:
    """``minItems``/``maxItems`` (or Length, Properties): the checks of ``len(var)`` they ask for."""
    for key, op in ((low, "<"), (high, ">")):
        bound = schema.get(key)
        if isinstance(bound, int) and not isinstance(bound, bool):
            out.append(f"{pad}if len({var}) {op} {bound}: return False")
