"""Validation: of whole OpenAPI documents (openapi-spec-validator) and of bodies against schemas
(jsonschema). The only importer of both libraries.

OpenAPI 3.0 schemas are not JSON Schema: ``nullable: true`` widens the type, ``example`` is a keyword
of its own. :func:`to_json_schema` turns a 3.0 (or 3.1) schema object into JSON Schema 2020-12 so
one validator serves both versions.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from itertools import islice
from typing import TYPE_CHECKING, Any, Final

import orjson

from specbuild.errors import InputError, InvalidSpecError
from specbuild.io import validator_settings
from specbuild.io.order import child_kind
from specbuild.io.specs import escape
from specbuild.io.verdicts import TRIED, Judged, reusing_descend

if TYPE_CHECKING:  # a build loads neither the drift checker nor re2: they are imported when first used
    from jsonschema.exceptions import ValidationError

    from specbuild.drift.check import BodyError


# Runs a task in another process, answering a function that waits for its result (None: the task was
# not done there); None itself when no other process can take it (specbuild.parallel.forked).
Elsewhere = Callable[[Callable[[], Any]], Callable[[], Any] | None]


def spec_problems(doc: Mapping[str, Any], elsewhere: Elsewhere | None = None,
                  ready: Elsewhere | None = None, meanwhile: Callable[[], object] | None = None) -> list[str]:
    """What openapi-spec-validator finds wrong with ``doc`` (empty when valid).

    A full validation of a large document takes most of a second, so the verdict on a document whose
    content was judged before (``build --check`` reads back the spec it just learned) is remembered.
    ``elsewhere``: the library's two walks of a (clean) document run at once, one in another process.
    ``ready``: a process that imported the validator and used it once (:func:`warm`) while this one
    folded (:class:`specbuild.parallel.Standby`); a document of plain JSON is judged there, from its text
    (``elsewhere`` is then where that process runs one of the walks). ``meanwhile()`` is called while
    that process judges (the build serialises the document for its write then); not called otherwise.
    """
    text = _plain_text(doc)
    key = None if text is None else hashlib.blake2b(text, digest_size=32).digest()
    if key is not None:
        known = _VERDICTS.get(key)
        if known is not None:
            return list(known)
    if text is not None and ready is not None:
        wait = ready(functools.partial(_judged_text, text, elsewhere))
        if wait is not None and meanwhile is not None:
            meanwhile()
        judged = wait() if wait is not None else None
        if judged is not None:  # else it ended without an answer: judged here
            problems, settled = judged
            if key is not None and settled:  # (a key is there: the text is)
                _VERDICTS.put(key, tuple(problems))
            return list(problems)
    problems, settled = _judged(doc, key is not None, elsewhere)
    if key is not None and settled:
        _VERDICTS.put(key, tuple(problems))
    return problems


def _judged_text(text: bytes, elsewhere: Elsewhere | None) -> tuple[list[str], bool]:
    """:func:`_judged` of the document that ``text`` is the JSON of (in a standby process, which may run
    one of the walks ``elsewhere``: its parent waits meanwhile). The same document: the text is of plain
    JSON (:func:`_plain_json`), and orjson keeps key order and every value exactly."""
    return _judged(orjson.loads(text), True, elsewhere)


def warm() -> None:
    """Import openapi-spec-validator and validate a small learned document with it: what the first
    validation of a process costs beyond its document (~0.1 s of CPU here), paid by a standby while the
    build folds."""
    import_validator()
    body = {"type": "object", "properties": {"id": {"type": "integer", "format": "int64"},
                                             "name": {"type": "string", "nullable": True},
                                             "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}}},
            "required": ["id"], "x-specbuild-seen": 3}
    doc = {"openapi": "3.0.3", "info": {"title": "warm", "version": "0"},
           "paths": {"/things/{thingId}": {"get": {
               "parameters": [{"name": "thingId", "in": "path", "required": True, "schema": {"type": "string"}}],
               "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": body}}}}}}},
           "components": {"schemas": {"Tag": {"type": "string", "enum": ["a", "b"]}}}}
    _judged(doc, True, None)


def _judged(doc: Mapping[str, Any], plain: bool, elsewhere: Elsewhere | None) -> tuple[list[str], bool]:
    """The problems of ``doc`` and whether they are the validator's verdict on its content; ``plain``:
    ``doc`` is plain JSON (:func:`_plain_json`), so its equal subtrees may be shared (:func:`_shared`)."""
    digests = _Digests()
    if plain and str(doc.get("openapi", "")).startswith(("3.0.", "3.1.")):
        dropped = [0]
        problems, settled = _both_walks(_shared(doc, digests, dropped), digests, elsewhere)
        if not dropped[0] or (settled and not problems):  # the document itself was judged, or it is clean
            return problems, settled
        digests.clear()
    return _both_walks(_shared(doc, digests) if plain else doc, digests, elsewhere)


def preload() -> None:
    """Import openapi-spec-validator in a background thread (about 0.15 s, mostly pydantic): a follower
    has that time to spare while it joins its group, and needs the validator at its first checkpoint."""
    threading.Thread(target=import_validator, name="specbuild-preload", daemon=True).start()


def import_validator() -> None:
    """Import openapi-spec-validator now (done by the first validation otherwise), its settings modules
    stood in for where that changes nothing (io.validator_settings: pydantic is half the import)."""
    validator_settings.install()
    import openapi_spec_validator  # noqa: F401


def _both_walks(doc: Mapping[str, Any], digests: Mapping[int, bytes], elsewhere: Elsewhere | None,
                ) -> tuple[list[str], bool]:
    """:func:`_validate`'s answer, its two walks run at once when ``elsewhere`` takes one of them.

    The library walks the document against the OpenAPI metaschema, then (only if that found nothing)
    its keyword checks, and raises the first problem: so the first walk's verdict when it is not clean,
    else the second's (a learned spec is clean: both walks run to their end either way).
    """
    wait = elsewhere(functools.partial(_validate, doc, True, digests, "schema")) if elsewhere else None
    if wait is None:
        return _validate(doc, digests=digests)
    try:
        keywords = _validate(doc, digests=digests, walk="keywords")
    finally:
        schema = wait()  # the other process is waited for on the way out of an interruption too
    if schema is None:  # it ended without an answer
        schema = _validate(doc, digests=digests, walk="schema")
    return keywords if schema == ([], True) else schema


def _validate(doc: Mapping[str, Any], memo: bool = True, digests: Mapping[int, bytes] | None = None,
              walk: str = "both", ordered: bool = False) -> tuple[list[str], bool]:
    """The problems, and whether they are the validator's verdict on the content (not a crash); ``memo``
    False walks as the library does (the tests' oracle for :func:`_memoized`); ``digests`` as
    :func:`_shared` wrote them; ``walk``: "both" as the library's ``validate()``, or only its metaschema
    walk ("schema") or only its keyword checks ("keywords"); ``ordered`` as :func:`_validator` takes it."""
    # openapi-spec-validator is imported when first needed, not with this module: most commands validate
    # once, at the end, and its import is a third of the CLI's start-up.
    validator_settings.install()
    from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

    _without_system_mime_types()
    try:
        validator = _validator(doc, memo, digests, ordered)
        if walk == "both":
            if memo and _clean_at_once(validator, doc):
                return [], True
            validator.validate()
        elif memo and (_keywords_clean(validator, doc) if walk == "keywords" else _metaschema_clean(validator)):
            return [], True
        else:
            errors = (validator.schema_validator.iter_errors(validator.schema) if walk == "schema"
                      else validator.root_validator(validator.schema_path))
            for error in errors:  # the first, as the library's validate() raises it
                raise error if isinstance(error, OpenAPIValidationError) else OpenAPIValidationError.create_from(error)
    except OpenAPIValidationError as exc:
        where = "/".join(str(p) for p in getattr(exc, "absolute_path", ()) or ())
        return [f"{where}: {exc.message}" if where else str(exc.message)], True
    except Exception as exc:  # the validator raises assorted errors on odd documents
        return [f"{type(exc).__name__}: {exc}"], False
    finally:
        _forget_validators()
    return [], True


def _clean_at_once(validator: Any, doc: Mapping[str, Any]) -> bool:
    """True when ``validator`` (of ``doc``, OpenAPI 3.0, memoized) finds nothing: its metaschema walk, then
    its keyword walk on a :class:`specbuild.io.docpath.DocPath` (:func:`_keywords_clean`).

    False is no verdict: the library then walks as it does (its kept verdicts make the repeat cheap), so
    every error, crash and message is its own.
    """
    if not _metaschema_clean(validator):
        for _ in validator.schema_validator.iter_errors(validator.schema):
            return False
    return _keywords_clean(validator, doc)


def _metaschema_clean(validator: Any) -> bool:
    """True when the library's metaschema walk finds nothing in ``validator``'s document, as a compiled
    :class:`specbuild.io.metaschema.Metaschema` says it (a tenth of the walk's cost); False is no verdict."""
    schema_validator = validator.schema_validator
    if not hasattr(schema_validator, "format_checker"):  # the library's jsonschema-rs backend: its own walk
        return False
    return _valid(_compiled_metaschema(schema_validator.schema, schema_validator.format_checker), validator.schema)


def _valid(compiled: Any, instance: Any, memo: dict[tuple[int, int], bool] | None = None) -> bool:
    try:
        return compiled is not None and bool(compiled.valid(instance, memo))
    except Exception:  # a document the library's walk would crash on, or too deep: its walk says
        return False


_COMPILED: dict[tuple[int, int], tuple[Any, Any, Any]] = {}  # (metaschema, format checker, Metaschema or None)


def _compiled_metaschema(metaschema: Any, format_checker: Any) -> Any:
    """``metaschema`` compiled (io.metaschema), as Draft4Validator judges with ``format_checker``; None when
    the library's draft-4 walk is not the one mirrored there."""
    from jsonschema import Draft4Validator, validators
    from jsonschema._types import draft4_type_checker
    from jsonschema._utils import equal, uniq

    from specbuild.io.metaschema import Metaschema, Unsupported

    if validators.validator_for(metaschema) is not Draft4Validator:
        return _compiled_2020(metaschema, format_checker)
    known = _COMPILED.get((id(metaschema), id(format_checker)))
    if known is not None and known[0] is metaschema and known[1] is format_checker:
        return known[2]
    compiled = None
    if validators.validator_for(metaschema) is Draft4Validator and Draft4Validator.TYPE_CHECKER is draft4_type_checker:
        names = {k: f"{f.__module__}.{f.__qualname__}" for k, f in Draft4Validator.VALIDATORS.items()}
        try:
            compiled = Metaschema(metaschema, names, equal, uniq, format_checker)
        except Unsupported:
            compiled = None
    _COMPILED[id(metaschema), id(format_checker)] = (metaschema, format_checker, compiled)
    return compiled


_COMPILED_2020: dict[tuple[int, int, int], tuple[Any, Any, Any, Any]] = {}  # (metaschema, checker, registry, compiled)


def _compiled_2020(metaschema: Any, format_checker: Any, registry: Any = None, default: Any = None) -> Any:
    """``metaschema`` (JSON Schema 2020-12: OpenAPI 3.1's document schema, or its schema object dialect)
    compiled (io.metaschema2020), as the library's validator of it judges with ``format_checker`` (and
    ``registry``, ``default`` the class validator_for falls back to, as check_openapi_schema makes it);
    None when that validator is not the draft mirrored there."""
    from jsonschema import Draft202012Validator, validators
    from jsonschema._types import draft202012_type_checker
    from jsonschema._utils import equal, uniq

    from specbuild.io.metaschema2020 import Metaschema2020, Unsupported

    key = (id(metaschema), id(format_checker), id(registry))
    known = _COMPILED_2020.get(key)
    if known is not None and known[0] is metaschema and known[1] is format_checker and known[2] is registry:
        return known[3]
    compiled = None
    cls = validators.validator_for(metaschema, default=default or Draft202012Validator)
    if cls is Draft202012Validator and cls.TYPE_CHECKER is draft202012_type_checker:
        # the library's own validator of it: its resolver at the root is where the compiled refs start
        root = cls(metaschema, format_checker=format_checker, **({} if registry is None else {"registry": registry}))
        checker = cls.TYPE_CHECKER
        types = {name: functools.partial(_is_type, checker, name) for name in checker._type_checkers}
        names = {k: f"{f.__module__}.{f.__qualname__}" for k, f in cls.VALIDATORS.items()}
        try:
            compiled = Metaschema2020(metaschema, root._resolver, names, types, equal, uniq,
                                      lambda schema: validators.validator_for(schema, default=cls) is cls,
                                      format_checker)
        except Unsupported:
            compiled = None
    _COMPILED_2020[key] = (metaschema, format_checker, registry, compiled)
    return compiled


def _is_type(checker: Any, name: str, instance: Any) -> bool:
    return bool(checker.is_type(instance, name))


def _keywords_clean(validator: Any, doc: Mapping[str, Any]) -> bool:
    """True when the library's keyword walk finds nothing in ``doc`` read through a
    :class:`specbuild.io.docpath.DocPath` instead of the library's SchemaPath; False is no verdict.

    The keyword walk's own classes run, each anew (they keep the ids they visited); only the path they
    read through is ours, and it says Unsure (an exception: False) wherever it does not read as
    SchemaPath does.
    """
    from openapi_spec_validator.validation.keywords import OpenAPIV30SchemaValidator
    from openapi_spec_validator.validation.registries import KeywordValidatorRegistry

    from specbuild.io.docpath import Document, Unsure

    schema_keyword = validator.keyword_validators.get("schema", object)
    if not (issubclass(schema_keyword, OpenAPIV30SchemaValidator) or getattr(schema_keyword, "reads_docpath", False)):
        return False  # another 3.1 keyword validator reads a dialect through SchemaPath's root
    if type(doc.get("$ref")) is str:
        return False  # the library reads the document a root ref points to: its refs are the root's
    try:
        root = Document(validator.schema, lambda: validator.schema_path).root()
        walk: Any = KeywordValidatorRegistry(validator.keyword_validators)["__root__"]
        for _ in walk(root):
            return False
    except (Unsure, Exception):  # Unsure or the library's own crash: either way, its own walk says
        return False
    return True


def _without_system_mime_types() -> None:
    """Set up ``mimetypes`` from its built-in table only.

    The validator reads its bundled metaschema through urllib's ``file:`` handler, which asks
    ``mimetypes`` the file's type; its first use reads /etc/mime.types and the like: files outside the
    spec's folder (tests/test_hostile_specs.py audits every open), for a type nobody looks at.
    """
    import mimetypes

    if mimetypes.inited:
        return
    system, mimetypes.knownfiles = mimetypes.knownfiles, []
    try:
        mimetypes.init()
    finally:
        mimetypes.knownfiles = system


def _validator(doc: Mapping[str, Any], memo: bool = True, digests: Mapping[int, bytes] | None = None,
               ordered: bool = False) -> Any:
    """openapi-spec-validator's validator for ``doc``, which retrieves nothing; ``ordered`` (memoized only):
    its jsonschema walks meet the keys of a map in the document's order (:func:`_in_document_order`).

    Its ``validate`` shortcut resolves a ``$ref`` to a URL or a file by fetching it; a spec reaches us
    with its file refs inlined (``io.specs``) and any other ref refused, so a ref still not local here
    is a ref the validator must not follow either: every scheme is handled by a refusal.
    """
    validator_settings.install()
    from jsonschema_path import SchemaPath
    from openapi_spec_validator.settings import OpenAPISpecValidatorSettings
    from openapi_spec_validator.shortcuts import get_validator_cls

    spec = dict(doc)
    path = SchemaPath.from_dict(spec, base_uri="", handlers=_NoRetrieval(),
                                resolved_cache_maxsize=OpenAPISpecValidatorSettings().resolved_cache_maxsize)
    cls = get_validator_cls(spec)
    return (_memoized(cls, digests or {}, ordered) if memo else cls)(path)


def _memoized(cls: Any, digests: Mapping[int, bytes], ordered: bool = False) -> Any:
    """``cls`` (an openapi-spec-validator class) whose two metaschema walks judge a subtree once per
    ``$ref`` it is checked against, not once per place it occurs.

    Both walks (the document against the OpenAPI metaschema; each schema object against the JSON Schema
    one) are jsonschema validators that descend into a repeated schema by ``$ref`` (``#/definitions/Schema``,
    ``#``) at every occurrence: a learned spec repeats small schemas thousands of times, and
    :func:`_shared` makes equal subtrees one object, so a verdict kept by (ref, id) skips the repeats.
    A verdict with errors is kept too (most are a oneOf's branch that does not apply: every schema object
    is also tried as a Reference) and handed on as new copies of the library's errors, so what is found,
    where, and which comes first is the library's own. The id is safe while the document is alive: the
    memo lives for one validator. The Rust backend (jsonschema-rs, when installed) is left as it is.
    """
    from openapi_spec_validator.schemas import get_validator_backend

    if get_validator_backend() != "jsonschema":
        return cls
    body: dict[str, Any] = {"schema_validator": _with_ref_memo(cls.schema_validator.schema, digests, ordered)}
    checker = _schema_checker(cls.keyword_validators.get("schema"), digests, ordered)
    if checker is not None:
        body["keyword_validators"] = {**cls.keyword_validators, "schema": checker}
    return type(cls.__name__, (cls,), body)


def _with_ref_memo(metaschema: Mapping[str, Any], digests: Mapping[int, bytes], ordered: bool = False,
                   **kwargs: Any) -> Any:
    """A validator of ``metaschema`` (its own draft's class, ``kwargs`` to it) whose ``$ref`` (and, in a
    static draft, ``oneOf`` and ``anyOf``) keep their verdicts (:class:`specbuild.io.verdicts.Judged`);
    ``ordered``: its ``additionalProperties`` is :func:`_in_document_order`."""
    from jsonschema import validators
    from jsonschema.exceptions import ValidationError
    from referencing import Specification
    from referencing.jsonschema import specification_with

    base = validators.validator_for(metaschema)
    static = not {"$dynamicRef", "$recursiveRef"} & set(base.VALIDATORS)  # 2019-09 on: a dynamic scope
    judged = Judged(metaschema, ValidationError, digests, static)
    keywords = {"$ref": judged.ref, **({"additionalProperties": _in_document_order} if ordered else {})}
    if static:
        keywords.update({name: judged.kept(base.VALIDATORS[name]) for name in TRIED if name in base.VALIDATORS})
    cls = validators.extend(base, keywords)
    # the draft's specification, as jsonschema's validators.create derives it for the class it makes
    specification = specification_with(dialect_id=cls.ID_OF(cls.META_SCHEMA) or "urn:unknown-dialect",
                                       default=Specification.OPAQUE)
    cls.descend = reusing_descend(cls.descend, specification, base)  # a class of this walk's own: nobody else's changes
    return cls(metaschema, **kwargs)


def _schema_checker(keyword: Any, digests: Mapping[int, bytes], ordered: bool = False) -> Any:
    """The OpenAPI 3.0 schema-object keyword validator, its JSON Schema check memoized as :func:`_memoized`
    says (None for another version: 3.1 picks a dialect per schema, left to the library)."""
    from jsonschema.exceptions import SchemaError
    from openapi_spec_validator.validation.keywords import OpenAPIV30SchemaValidator

    try:  # openapi-spec-validator's own dependency; the registry is not public: another version checks alone
        from openapi_schema_validator import OAS30Validator
        from openapi_schema_validator._specifications import REGISTRY
    except ImportError:
        return None
    if keyword is not OpenAPIV30SchemaValidator:
        return _compiled_first(keyword, ordered)
    # openapi_schema_validator.validators.check_openapi_schema, with the memoizing metaschema validator
    meta = _with_ref_memo(OAS30Validator.META_SCHEMA, digests, ordered, format_checker=OAS30Validator.FORMAT_CHECKER,
                          registry=REGISTRY)

    compiled = _compiled_metaschema(OAS30Validator.META_SCHEMA, OAS30Validator.FORMAT_CHECKER)
    verdicts: dict[tuple[int, int], bool] = {}  # by id, as the walk's: one validation's, its document alive

    def check(schema: Any) -> None:
        if _valid(compiled, schema, verdicts):  # the compiled metaschema's clean verdict; else the walk says
            return
        for error in meta.iter_errors(schema):
            raise SchemaError.create_from(error)

    class Memoized(OpenAPIV30SchemaValidator):
        def __init__(self, registry: Any) -> None:
            super().__init__(registry)
            # the library's lists of the schema objects it has walked and checked, looked up at every place
            # a schema object is met (~13,000 in a large spec): the same ids, found in O(1)
            self.visited_schema_ids = _Ids()
            self.meta_checked_schema_ids = _Ids()

        def _get_schema_checker(self, schema: Any, schema_value: Any) -> Any:
            return check

    return Memoized


def _compiled_first(keyword: Any, ordered: bool) -> Any:
    """The OpenAPI 3.1 schema-object keyword validator (``keyword``) whose JSON Schema check of a schema object
    is first the compiled dialect's (io.metaschema2020: a clean verdict is the answer), else the library's
    check_openapi_schema (with ``ordered``, its least error: :func:`_least_error_first`); it reads the
    document's ``jsonSchemaDialect`` through a :class:`specbuild.io.docpath.DocPath` too. None for another
    keyword validator, or when the library's check is not check_openapi_schema."""
    from openapi_spec_validator.validation.keywords import OpenAPIV31SchemaValidator

    try:  # openapi-spec-validator's own dependency, as in _schema_checker
        from openapi_schema_validator._specifications import REGISTRY
        from openapi_schema_validator.validators import check_openapi_schema
    except ImportError:
        return None
    if not (isinstance(keyword, type) and issubclass(keyword, OpenAPIV31SchemaValidator)):
        return None
    base = _least_error_first(keyword) if ordered else keyword
    verdicts: dict[tuple[int, int], bool] = {}  # by id, as the walk's: one validation's, its document alive

    class CompiledFirst(base):  # type: ignore[misc,valid-type]
        reads_docpath = True

        def __init__(self, registry: Any) -> None:
            super().__init__(registry)
            self.visited_schema_ids = _Ids()  # (as in _schema_checker)
            self.meta_checked_schema_ids = _Ids()

        def _get_schema_checker(self, schema: Any, schema_value: Any) -> Any:
            library = keyword._get_schema_checker(self, schema, schema_value)
            checker = super()._get_schema_checker(schema, schema_value) if ordered else library
            func = getattr(library, "func", None)
            cls = getattr(func, "__self__", None)
            if getattr(func, "__func__", None) is not check_openapi_schema or cls is None:
                return checker
            compiled = _compiled_2020(cls.META_SCHEMA, library.keywords.get("format_checker", cls.FORMAT_CHECKER),
                                      REGISTRY, cls)

            def check(value: Any) -> None:
                if not _valid(compiled, value, verdicts):  # a clean verdict is the answer; else the library's
                    checker(value)
            return check

        def _get_default_jsonschema_dialect_id(self, schema: Any) -> str:
            from specbuild.io.docpath import DocPath, Unsure

            if type(schema) is not DocPath or getattr(self, "_default_jsonschema_dialect_id", None) is not None:
                return super()._get_default_jsonschema_dialect_id(schema)  # type: ignore[no-any-return]
            root = schema.document_root()
            default = self.default_jsonschema_dialect_id
            found = root["jsonSchemaDialect"] if "jsonSchemaDialect" in root else default  # noqa: SIM401 (no get)
            if type(found) is not str:
                raise Unsure("jsonSchemaDialect")  # SchemaPath's read_str: a TypeError, or a ref followed
            self._default_jsonschema_dialect_id = found
            return found

    return CompiledFirst


def _least_error_first(keyword: Any) -> Any:
    """The OpenAPI 3.1 schema-object keyword validator (``keyword``) whose JSON Schema check raises the
    least of its errors by place, not the first met (which depends on PYTHONHASHSEED, see
    :func:`_in_document_order`): every error of the library's check of the schema, by the same validator
    of its dialect's metaschema (None: a check that is not the library's check_openapi_schema)."""
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import validator_for
    from openapi_spec_validator.validation.keywords import OpenAPIV31SchemaValidator

    try:  # openapi-spec-validator's own dependency, as in _schema_checker
        from openapi_schema_validator._specifications import REGISTRY
        from openapi_schema_validator.validators import check_openapi_schema
    except ImportError:
        return None
    if not (isinstance(keyword, type) and issubclass(keyword, OpenAPIV31SchemaValidator)):
        return None

    class LeastFirst(keyword):  # type: ignore[misc]
        def _get_schema_checker(self, schema: Any, schema_value: Any) -> Any:
            checker = super()._get_schema_checker(schema, schema_value)
            cls = getattr(getattr(checker, "func", None), "__self__", None)
            if getattr(getattr(checker, "func", None), "__func__", None) is not check_openapi_schema or cls is None:
                return checker
            format_checker = checker.keywords.get("format_checker", cls.FORMAT_CHECKER)

            def check(value: Any) -> None:  # check_openapi_schema's validator, all its errors
                meta = validator_for(cls.META_SCHEMA, default=cls)(cls.META_SCHEMA, format_checker=format_checker,
                                                                   registry=REGISTRY)
                errors = list(meta.iter_errors(value))
                if errors:
                    raise SchemaError.create_from(min(errors, key=lambda e: (_place(e.path), e.message)))
            return check

    return LeastFirst


def _place(path: Any) -> tuple[tuple[bool, Any], ...]:
    """A sort key of a JSON path: an index as a number (items/10 after items/9), a key as text."""
    return tuple((type(p) is not int, p if type(p) is int else str(p)) for p in path)


def _in_document_order(validator: Any, extra: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    """jsonschema's ``additionalProperties``, the extra keys met in the document's order: the library's walks
    them as a set, so which of two errors comes first depends on PYTHONHASHSEED (a message would change
    from one run to the next). Its error for keys not allowed at all lists them sorted: the library's own."""
    from jsonschema import _keywords, _utils

    if validator.is_type(instance, "object") and validator.is_type(extra, "object"):
        for key in dict.fromkeys(_utils.find_additional_properties(instance, schema)):
            yield from validator.descend(instance[key], extra, path=key)
    else:
        yield from _keywords.additionalProperties(validator, extra, instance, schema)


class _Ids(list[int]):
    """A list of ids that also answers ``in`` from a set (only ``append`` adds to it)."""

    def __init__(self) -> None:
        super().__init__()
        self._set: set[int] = set()

    def append(self, item: int) -> None:
        super().append(item)
        self._set.add(item)

    def __contains__(self, item: object) -> bool:
        return item in self._set


class _NoRetrieval(Mapping[str, Any]):
    """A handler table with an entry for every URI scheme (the library falls back to urllib for a scheme
    it has no handler for): each refuses."""

    def __getitem__(self, scheme: str) -> Any:
        return _refuse

    def __contains__(self, scheme: object) -> bool:
        return True

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def _refuse(uri: str) -> Any:
    raise InputError(f"$ref {uri!r} refused: only refs inside the document and its folder are followed")


def _shared(doc: Mapping[str, Any], digests: _Digests | None = None,
            dropped: list[int] | None = None) -> dict[str, Any]:
    """A copy of a plain-JSON ``doc`` in which equal objects are one object; given ``dropped``, a copy of an
    OpenAPI 3.0 or 3.1 ``doc`` without the ``x-`` keys of its schema objects too (how many objects lost some:
    ``dropped[0]``), the copy openapi-spec-validator judges first.

    openapi-spec-validator checks each schema object once, by id: a learned spec repeats whole schemas
    (the same ``metadata`` object under every resource), so sharing them saves about a third of the
    time. The verdict is the same: a repeat would be judged as its first occurrence, which comes first.
    The one context-dependent check (a ``required`` name an ``allOf`` does not define, allowed only
    where the schema is nested) is why objects holding ``allOf`` are never shared.

    A learned spec writes how many values each claim rests on (``x-specbuild-seen``) in most schema
    objects, so schemas that are alike differ by their counts and are shared only without them: a third
    fewer objects to judge. That copy is clean only when ``doc`` is: in a schema object an ``x-`` key is
    an extension, whatever its value, to each of the library's checks (the OpenAPI 3.0 metaschema lets
    ``^x-`` keys be anything beside a Schema's keywords or a Reference's ``$ref``; 3.1's takes a schema
    object as any object; every JSON Schema draft's metaschema, and the OAS 3.1 and 3.2 dialects, ignore a
    keyword they do not know, none limiting a schema object's own keys; the keyword walk and a default's
    check read named keywords). Which objects
    are schemas, ``io.order`` says (a property named ``x-...`` is a name in a map, kept). A copy with a
    problem is never the answer: ``doc`` itself is judged then. ``digests`` gets each shared object.
    """
    seen: dict[bytes, Any] = {}

    def share(value: Any, kind: str) -> Any:
        if type(value) is dict:
            if dropped is None or kind == "data":
                copy = {k: share(v, kind) for k, v in value.items()}
            else:
                copy = {k: share(v, child_kind(kind, k)) for k, v in value.items()
                        if kind != "schema" or not k.startswith("x-")}
                dropped[0] += len(copy) != len(value)
            if "allOf" in copy:
                return copy
            text = orjson.dumps(copy)
            kept = seen.setdefault(text, copy)
            if digests is not None and kept is copy:
                digests.add(copy)
            return kept
        if type(value) is list:
            return [share(v, kind) for v in value]
        return value

    return dict(share(dict(doc), "document" if dropped is not None else "data"))


class _Digests(Mapping[int, bytes]):
    """The content digests of a shared copy's objects, by id, each made when first asked for: only the
    library's walks ask (io.verdicts keeps their verdicts by content), and the compiled metaschemas
    (io.metaschema) answer for a clean document without them."""

    def __init__(self) -> None:
        self._objects: dict[int, Any] = {}
        self._made: dict[int, bytes] = {}

    def add(self, value: Any) -> None:
        self._objects[id(value)] = value

    def clear(self) -> None:
        self._objects.clear()
        self._made.clear()

    def __getitem__(self, key: int) -> bytes:
        made = self._made.get(key)
        if made is None:
            text = orjson.dumps(self._objects[key])  # as _shared keyed it: the same text, the same digest
            made = self._made[key] = hashlib.blake2b(text, digest_size=16).digest()
        return made

    def __iter__(self) -> Iterator[int]:
        return iter(self._objects)

    def __len__(self) -> int:
        return len(self._objects)


def _forget_validators() -> None:
    # openapi-spec-validator 0.9 memoizes SpecValidator.iter_errors in an unbounded lru_cache keyed on
    # the validator, which keeps every document ever validated alive (~2 MB each for a large spec):
    # a Kafka follow validates at every checkpoint. Our validators are never reused, so drop them.
    from openapi_spec_validator.validation.validators import SpecValidator

    cached = getattr(SpecValidator.iter_errors, "__wrapped__", None)
    clear = getattr(cached, "cache_clear", None)
    if clear is not None:
        clear()


class _Verdicts:
    """The last few verdicts, by content digest (locked: library users may validate from several threads)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[bytes, tuple[str, ...]] = OrderedDict()

    def get(self, key: bytes) -> tuple[str, ...] | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: bytes, problems: tuple[str, ...]) -> None:
        with self._lock:
            self._items[key] = problems
            self._items.move_to_end(key)
            while len(self._items) > self._size:
                self._items.popitem(last=False)


_VERDICTS = _Verdicts(8)


def _plain_text(doc: Mapping[str, Any]) -> bytes | None:
    """The JSON text of ``doc`` with its key order (which error comes first depends on it), or None when
    the text would not tell all the validator sees (a tuple, a subclass, a NaN, ...)."""
    if not _plain_json(doc):
        return None
    try:
        return orjson.dumps(doc)
    except TypeError:  # orjson.JSONEncodeError: an int over 64 bits, a lone surrogate
        return None


def _plain_json(value: Any) -> bool:
    """True when ``value`` is a tree (no container twice: the validator skips a schema object it has seen,
    by id) of only dict (str keys), list, str, int, finite float, bool and None, each of exactly that type:
    then equal JSON text means equal input to the validator."""
    stack = [value]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is dict or kind is list:
            if id(node) in seen:
                return False
            seen.add(id(node))
            if kind is list:
                stack.extend(node)
                continue
            for k, v in node.items():
                if type(k) is not str:
                    return False
                stack.append(v)
        elif kind is float:
            if not math.isfinite(node):
                return False
        elif kind is not str and kind is not int and kind is not bool and node is not None:
            return False
    return True


def check_built_spec(doc: Mapping[str, Any], elsewhere: Elsewhere | None = None,
                     ready: Elsewhere | None = None, meanwhile: Callable[[], object] | None = None) -> None:
    """Raise InvalidSpecError when a document *we* built is invalid (a bug, never the user's fault);
    ``elsewhere``, ``ready`` and ``meanwhile`` as :func:`spec_problems` takes them."""
    if spec_problems(doc, elsewhere, ready, meanwhile):
        problems = _listed_problems(doc)
        more = "" if len(problems) == 1 else f" (and {_count(problems, -1)} more)"
        raise InvalidSpecError(
            f"the OpenAPI document specbuild built does not validate: {problems[0]}{more}",
            hint="this is a bug in specbuild; please report it with --traceback output and the input",
        )


def check_input_spec(doc: Any, origin: str) -> None:
    """Raise InputError when a spec given by the user is not a valid OpenAPI 3 document."""
    if not isinstance(doc, dict):
        raise InputError(f"{origin}: not an OpenAPI document (the top level is not an object)")
    version = str(doc.get("openapi", ""))
    if not version.startswith("3."):
        found = f"swagger {doc['swagger']}" if "swagger" in doc else f"openapi {version or 'missing'}"
        raise InputError(f"{origin}: not an OpenAPI 3 document ({found})",
                         hint="convert Swagger 2.0 to OpenAPI 3 first (e.g. swagger2openapi)")
    _string_status_codes(doc)
    where = _non_string_key(doc)
    if where is not None:
        raise InputError(f"{origin}: invalid OpenAPI document: a key at {where} is not a string",
                         hint="quote it (YAML reads an unquoted 200: or true: as a number or a boolean)")
    if not spec_problems(doc):
        return
    listed = _listed_problems(doc)
    if len(listed) <= 1:
        raise InputError(f"{origin}: invalid OpenAPI document: {listed[0]}")
    raise InputError(f"{origin}: invalid OpenAPI document, {_count(listed)} problems:"
                     + "".join(f"\n  {p}" for p in listed),
                     hint="each line: where (a JSON pointer into the document), then what is wrong")


MAX_PROBLEMS: Final = 20  # problems listed for an invalid spec: enough to fix a round of them


def _count(listed: list[str], plus: int = 0) -> str:
    return f"{'at least ' if len(listed) == MAX_PROBLEMS else ''}{len(listed) + plus}"


def _listed_problems(doc: Mapping[str, Any]) -> list[str]:
    """What is wrong with an invalid document, the same in every run: its problems each at its place
    (:func:`_all_problems`), or when those cannot be listed, the first problem of its walks in the
    document's order (the library's first depends on PYTHONHASHSEED: :func:`_in_document_order`)."""
    return _all_problems(doc) or _validate(doc, ordered=True)[0]


def _all_problems(doc: Mapping[str, Any]) -> list[str]:
    """Up to MAX_PROBLEMS problems of an invalid document, each at its JSON pointer (``/paths/~1a/get``),
    sorted by place; [] when the validator cannot go on past the first (it then says only that one).

    The walks meet the keys of a map in the document's order, so the same problems are found, and
    the same reported at each place, whatever PYTHONHASHSEED is.
    """
    try:
        errors = list(islice(_validator(doc, ordered=True).iter_errors(), 4 * MAX_PROBLEMS))
    except Exception:  # past the first problem, some checks crash on what the first one broke
        return []
    finally:
        _forget_validators()
    found: dict[str, tuple[Any, ...]] = {}
    for err in errors:
        path = list(getattr(err, "absolute_path", ()) or ())
        if path and path[0] not in doc:
            continue  # a sub-schema's own report, with a path relative to it: its parent says where
        problem = f"{''.join('/' + escape(str(p)) for p in path) or '/'}: {err.message}"
        found.setdefault(problem, _place(path))
    return sorted(found, key=lambda problem: (found[problem], problem))[:MAX_PROBLEMS]


def _string_status_codes(doc: dict[str, Any]) -> None:
    """Response codes as strings, in place: YAML reads an unquoted ``200:`` as the int 200, and every
    reader of a spec (the validator, routes, diff, overlay) takes status codes as strings."""
    paths = doc.get("paths")
    for item in paths.values() if isinstance(paths, dict) else ():
        for op in item.values() if isinstance(item, dict) else ():
            responses = op.get("responses") if isinstance(op, dict) else None
            if isinstance(responses, dict) and not all(isinstance(k, str) for k in responses):
                op["responses"] = {str(k) if type(k) is int else k: v for k, v in responses.items()}


def _non_string_key(doc: Any) -> str | None:
    """Where the first key that is not a string is (``paths./a.get``), or None."""
    stack: list[tuple[Any, str]] = [(doc, "")]
    seen: set[int] = set()  # YAML aliases share (even nest) nodes: each is walked once
    while stack:
        node, where = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for k, v in items:
            if isinstance(node, dict) and not isinstance(k, str):
                return f"{where or '(top)'} ({k!r})"
            stack.append((v, f"{where}.{k}" if where else str(k)))
    return None


def to_json_schema(schema: Any, openapi: str = "3.0") -> Any:
    """An OpenAPI schema object as JSON Schema 2020-12 (3.0 ``nullable`` becomes a type/anyOf with null)."""
    if isinstance(schema, list):
        return [to_json_schema(s, openapi) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("properties", "patternProperties", "$defs", "definitions"):
            out[key] = {k: to_json_schema(v, openapi) for k, v in value.items()}
        elif key in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf", "prefixItems"):
            out[key] = to_json_schema(value, openapi)
        elif key in ("example", "examples", "discriminator", "xml", "externalDocs", "deprecated",
                     "readOnly", "writeOnly", "nullable") or key.startswith("x-"):
            continue
        else:
            out[key] = value
    if openapi.startswith("3.0") and schema.get("nullable") is True:
        out = _with_null(out)
    if openapi.startswith("3.0") and "exclusiveMinimum" in out and isinstance(out["exclusiveMinimum"], bool):
        _fix_exclusive(out, "Minimum")
    if openapi.startswith("3.0") and "exclusiveMaximum" in out and isinstance(out["exclusiveMaximum"], bool):
        _fix_exclusive(out, "Maximum")
    return out


def _with_null(schema: dict[str, Any]) -> dict[str, Any]:
    t = schema.get("type")
    if isinstance(t, str):
        schema = {**schema, "type": [t, "null"]}
        if "enum" in schema and None not in schema["enum"]:
            schema["enum"] = [*schema["enum"], None]
        return schema
    if t is None:
        if any(k in schema for k in ("anyOf", "oneOf", "allOf", "$ref")):
            # $defs stay at the root so the $refs inside keep resolving
            inner = {k: v for k, v in schema.items() if k != "$defs"}
            wrapped: dict[str, Any] = {"anyOf": [inner, {"type": "null"}]}
            if "$defs" in schema:
                wrapped["$defs"] = schema["$defs"]
            return wrapped
        return schema
    return schema


def _fix_exclusive(schema: dict[str, Any], which: str) -> None:
    flag = schema.pop(f"exclusive{which}")
    bound = schema.get(which.lower())
    if flag and bound is not None:
        schema[f"exclusive{which}"] = schema.pop(which.lower())


class BodyValidator:
    """Validate JSON values against one OpenAPI schema, with format checking on."""

    __slots__ = ("_validator",)

    def __init__(self, schema: Mapping[str, Any], openapi: str = "3.0") -> None:
        js = to_json_schema(dict(schema), openapi)
        linear = _linear_validator()
        self._validator = linear(js, format_checker=linear.FORMAT_CHECKER)

    def is_valid(self, value: Any) -> bool:
        return bool(self._validator.is_valid(value))

    def errors(self, value: Any) -> Iterator[BodyError]:
        for err in self._validator.iter_errors(value):
            yield from _union_errors(err)


@functools.cache
def _linear_validator() -> Any:
    """Draft 2020-12 with the spec's patterns run by specbuild.patterns (linear time), not by ``re``."""
    # imported when first needed, as the spec validator
    from jsonschema import Draft202012Validator, validators
    from jsonschema.exceptions import ValidationError

    from specbuild.patterns import compile_pattern

    def pattern(validator: Any, source: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
        if validator.is_type(instance, "string"):
            compiled = compile_pattern(source)
            if compiled.search is None:  # said in the finding's "expected": the value may well be fine
                yield ValidationError(f"{instance!r}: pattern {source!r} {compiled.problem}",
                                      validator_value=f"{source} ({compiled.problem})")
            elif not compiled.search(instance):
                yield ValidationError(f"{instance!r} does not match {source!r}")

    def pattern_properties(validator: Any, patterns: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
        if not validator.is_type(instance, "object"):
            return
        for source, subschema in patterns.items():
            compiled = compile_pattern(source)
            if compiled.search is None:
                yield ValidationError(f"patternProperties {source!r} {compiled.problem}",
                                      validator_value=f"{source} ({compiled.problem})")
                continue
            for k, v in instance.items():
                if compiled.search(k):
                    yield from validator.descend(v, subschema, path=k, schema_path=source)

    return validators.extend(Draft202012Validator, {"pattern": pattern, "patternProperties": pattern_properties})


def _union_errors(err: ValidationError) -> Iterator[BodyError]:
    """``err``, a value no branch of an ``anyOf``/``oneOf`` takes, said as what it is: a type none of the
    branches has (``9.9`` where a union of objects and strings: a type mismatch, which check weighs against
    the evidence as it does any type), else the errors inside the branch its type selects (the fewest, where
    several take it), so a learned claim broken inside a union is judged as the same claim outside one.
    "Matches none of anyOf" said nothing of what broke, and was always breaking."""
    if err.validator not in ("anyOf", "oneOf") or not err.context:
        yield _body_error(err)
        return
    depth = len(err.absolute_path)
    branches: dict[Any, list[ValidationError]] = {}
    for sub in err.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    taking = [subs for subs in branches.values()
              if not any(s.validator == "type" and len(s.absolute_path) == depth for s in subs)]
    if taking:
        for sub in min(taking, key=len):
            yield from _union_errors(sub)
        return
    types = sorted({t for subs in branches.values() for s in subs if s.validator == "type"
                    and len(s.absolute_path) == depth for t in _names(s.validator_value)})
    yield dataclasses.replace(_body_error(err), keyword="type", message=f"{err.instance!r} is not of type {types}",
                              expected=types)


def _names(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _body_error(err: ValidationError) -> BodyError:
    from specbuild.drift.check import BodyError
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path).lstrip(".")
    return BodyError(where=where or "(root)", keyword=str(err.validator), message=err.message,
                     expected=err.validator_value, path=tuple(err.absolute_path),
                     schema_path=tuple(err.absolute_schema_path))
