"""The verdicts of openapi-spec-validator's metaschema walks, kept per place and object (io.validate's memo).

Both of its jsonschema walks (the document against the OpenAPI metaschema; each schema object against
JSON Schema's) descend into a repeated schema object at every place it occurs, and try each as a
Schema and as a Reference (a ``oneOf``). :class:`Judged` is the ``$ref``, ``oneOf`` and ``anyOf`` of
such a walk: what it found for an object at a place in the metaschema is kept for the validation, and
handed on as new copies of the library's own errors; a clean verdict is also kept across validations
by the object's content (:data:`CLEAN`). This module imports no library: io.validate hands it the
error class and the keyword functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Final

TRIED: Final = ("oneOf", "anyOf")  # the keywords whose verdicts are kept, beside $ref (others: measured slower)


class Clean:
    """The (metaschema, place in it, content digest) of objects judged clean, across validations, up to
    ``size`` (then forgotten at once: the next validation keeps what it meets again). ``add`` and ``in``
    of a set are atomic: library users may validate from several threads.

    A place is named by the ids of metaschema objects, which live as long as their library; the objects
    are held here all the same, so no id in a key can be another object's later.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._items: set[tuple[Any, ...]] = set()
        self._held: dict[int, Any] = {}

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    def add(self, key: tuple[Any, ...], named: tuple[Any, ...]) -> None:
        """Keep ``key``, whose ids are those of the objects ``named``."""
        if len(self._items) >= self._size:
            self._items, self._held = set(), {}
        for thing in named:
            self._held[id(thing)] = thing
        self._items.add(key)


CLEAN: Final = Clean(1 << 16)  # ~15,000 a validation of the 1.2 MB mix spec; ~200 bytes each


class Judged:
    """The keywords of one validation's walk of ``metaschema`` that keep their verdicts.

    ``error`` is jsonschema's ValidationError (only verdicts made of exactly that class are kept: a
    subclass may carry more than a copy takes); ``digests`` the content digest of each object by id
    (io.validate._shared); ``static`` False for a draft with a dynamic scope (``$dynamicRef``), where the
    same ref can mean another schema from another place: then only per object, and the library's lookup.
    The ids are safe while the document is alive: a Judged lives for one validation.
    """

    def __init__(self, metaschema: Mapping[str, Any], error: type, digests: Mapping[int, bytes],
                 static: bool) -> None:
        self._metaschema = metaschema
        self._namespace = id(metaschema)
        self._error = error
        self._digests = digests
        self._static = static
        self._verdicts: dict[tuple[tuple[Any, ...], int], tuple[Any, ...]] = {}
        self._targets: dict[tuple[str, str], Any] = {}

    def ref(self, validator: Any, ref: str, instance: Any, schema: Any) -> Iterator[Any]:
        """The ``$ref`` keyword: a container's verdict kept per (ref, object) when the ref is local to the
        one metaschema resource (a scalar is judged at once, its ref's target looked up once all the same)."""
        if not ref.startswith("#"):
            yield from validator._validate_reference(ref=ref, instance=instance)
            return
        if type(instance) not in (dict, list):
            yield from self._walk(validator, ref, instance)
            return
        yield from self._remembered((ref,), (), instance, lambda: self._walk(validator, ref, instance))

    def kept(self, judge: Any) -> Any:
        """The keyword ``judge`` (a oneOf or anyOf of the library's) with its verdicts kept: it judges an
        object the same wherever it is met, its place in the metaschema being its value's and its
        schema's id (a keyword may read its siblings)."""
        def keyword(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[Any]:
            if type(instance) not in (dict, list):
                yield from judge(validator, value, instance, schema) or ()
                return
            place = (id(value), id(schema), validator._resolver._base_uri)
            yield from self._remembered(place, (value, schema), instance,
                                        lambda: judge(validator, value, instance, schema) or ())
        return keyword

    def _walk(self, validator: Any, ref: str, instance: Any) -> Iterator[Any]:
        # the library's _validate_reference, its lookup kept per (base URI, ref): a static metaschema's
        # refs resolve to the same subschema wherever they are met
        if not self._static or validator._ref_resolver is not None:
            return validator._validate_reference(ref=ref, instance=instance)  # type: ignore[no-any-return]
        where = (validator._resolver._base_uri, ref)
        resolved = self._targets.get(where)
        if resolved is None:
            try:
                resolved = self._targets[where] = validator._resolver.lookup(ref)
            except Exception:  # unresolvable: the library's own call raises it, as it would
                return validator._validate_reference(ref=ref, instance=instance)  # type: ignore[no-any-return]
        return validator.descend(instance, resolved.contents, resolver=resolved.resolver)  # type: ignore[no-any-return]

    def _remembered(self, place: tuple[Any, ...], named: tuple[Any, ...], instance: Any,
                    judge: Callable[[], Iterable[Any]]) -> Iterator[Any]:
        key = (place, id(instance))
        known = self._verdicts.get(key)
        if known is not None:
            yield from map(copy_error, known)
            return
        digest = self._digests.get(id(instance)) if self._static else None
        if digest is not None and (self._namespace, place, digest) in CLEAN:
            return
        # judged whole before the first error is handed on: the caller adds its path to what it is given
        # (the copies kept are as the library made them), and may stop at the first (is_valid)
        found: list[Any] = []
        try:
            for error in judge():
                found.append(error)
        except Exception:
            yield from found  # what came before the crash, then the crash: as the library's walk goes
            raise
        if all(type(error) is self._error for error in found):
            self._verdicts[key] = tuple(map(copy_error, found))
        if digest is not None and not found:
            CLEAN.add((self._namespace, place, digest), (self._metaschema, *named))
        yield from found


def copy_error(error: Any) -> Any:
    """A new jsonschema ``error`` (its context too) as it is now: a caller writes its place into what it is handed."""
    return type(error)(error.message, validator=error.validator, path=error.relative_path, cause=error.cause,
                       context=[copy_error(e) for e in error.context], validator_value=error.validator_value,
                       instance=error.instance, schema=error.schema, schema_path=error.relative_schema_path,
                       type_checker=error._type_checker)


def reusing_descend(descend: Callable[..., Iterator[Any]], specification: Any,
                    base: type) -> Callable[..., Iterator[Any]]:
    """jsonschema's ``Validator.descend`` (``descend``, of a class made for one walk, whose draft's referencing
    ``specification`` is given) that evolves the validator for a (subschema, resolver) once per walk, not at
    every node it is met: a metaschema walk descends into its few hundred subschemas ~60,000 times, and each
    evolve builds a validator (attrs, its keyword list, a resource for the subschema's id).

    The rest is the library's descend line for line: the same keywords, in the same order, the same errors
    with the same places. The cache holds the subschemas and resolvers it is keyed by (ids stay theirs), and
    lives as long as the class: one validation.

    Where the library's evolve picks ``base`` (the draft class this one extends) for a subschema that names
    its draft (``$schema``: the root of the draft-04 metaschema, which every nested schema object refers to
    as ``#``), the walk goes on in this class: the same keywords, its own kept verdicts among them.
    """
    evolved: dict[tuple[int, int, int, type], tuple[Any, Any, Any]] = {}

    def reused(self: Any, instance: Any, schema: Any, path: Any = None, schema_path: Any = None,
               resolver: Any = None) -> Iterator[Any]:
        if schema is True or schema is False or self._ref_resolver is not None:
            yield from descend(self, instance, schema, path, schema_path, resolver)
            return
        given = self._resolver if resolver is None else resolver
        key = (id(schema), id(given), resolver is None, type(self))
        kept = evolved.get(key)
        if kept is None:
            if resolver is None:
                resolver = self._resolver.in_subresource(specification.create_resource(schema))
            made = self.evolve(schema=schema, _resolver=resolver)
            if type(made) is base:
                made = _evolved_as(type(self), made)
            kept = evolved[key] = (made, schema, given)
        validator = kept[0]
        if type(validator) is not type(self):  # a subschema of another dialect ($schema): its class's own way
            yield from descend(self, instance, schema, path, schema_path, resolver)
            return
        for judge, k, v in validator._validators:  # applicable_validators(schema) the library knows, in order
            for found in judge(validator, v, instance, schema) or ():
                found._set(validator=k, validator_value=v, instance=instance, schema=schema,
                           type_checker=validator.TYPE_CHECKER)
                if k not in {"if", "$ref"}:
                    found.schema_path.appendleft(k)
                if path is not None:
                    found.path.appendleft(path)
                if schema_path is not None:
                    found.schema_path.appendleft(schema_path)
                yield found
    return reused


def _evolved_as(cls: type, validator: Any) -> Any:
    """``validator`` (an attrs class of jsonschema's) made again as ``cls``, every field it takes the same
    (jsonschema's evolve, its class given)."""
    fields = {field.alias: getattr(validator, field.name) for field in type(validator).__attrs_attrs__ if field.init}
    return cls(**fields)
