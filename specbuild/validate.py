"""Validation: of whole OpenAPI documents (openapi-spec-validator) and of bodies against schemas
(jsonschema). The only importer of both libraries.

OpenAPI 3.0 schemas are not JSON Schema: ``nullable: true`` widens the type, ``example`` is a keyword
of its own. :func:`to_json_schema` turns a 3.0 (or 3.1) schema object into JSON Schema 2020-12 so
one validator serves both versions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from openapi_spec_validator import validate as _validate_spec
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

from specbuild.errors import InputError, InvalidSpecError


def spec_problems(doc: Mapping[str, Any]) -> list[str]:
    """What openapi-spec-validator finds wrong with ``doc`` (empty when valid)."""
    try:
        _validate_spec(dict(doc))
    except OpenAPIValidationError as exc:
        where = "/".join(str(p) for p in getattr(exc, "absolute_path", ()) or ())
        return [f"{where}: {exc.message}" if where else str(exc.message)]
    except Exception as exc:  # the validator raises assorted errors on odd documents
        return [f"{type(exc).__name__}: {exc}"]
    return []


def check_built_spec(doc: Mapping[str, Any]) -> None:
    """Raise InvalidSpecError when a document *we* built is invalid (a bug, never the user's fault)."""
    problems = spec_problems(doc)
    if problems:
        raise InvalidSpecError(
            "the OpenAPI document specbuild built does not validate: " + "; ".join(problems),
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
    problems = spec_problems(doc)
    if problems:
        raise InputError(f"{origin}: invalid OpenAPI document: {problems[0]}")


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


@dataclass(frozen=True, slots=True)
class BodyError:
    """One way a value does not fit its schema: where (``items[0].id``), the rule, and a short message."""

    where: str
    keyword: str
    message: str
    expected: Any = None


class BodyValidator:
    """Validate JSON values against one OpenAPI schema, with format checking on."""

    __slots__ = ("_validator",)

    def __init__(self, schema: Mapping[str, Any], openapi: str = "3.0") -> None:
        js = to_json_schema(dict(schema), openapi)
        self._validator = Draft202012Validator(js, format_checker=Draft202012Validator.FORMAT_CHECKER)

    def is_valid(self, value: Any) -> bool:
        return bool(self._validator.is_valid(value))

    def errors(self, value: Any) -> Iterator[BodyError]:
        for err in self._validator.iter_errors(value):
            yield _body_error(err)


def _body_error(err: ValidationError) -> BodyError:
    where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in err.absolute_path).lstrip(".")
    return BodyError(where=where or "(root)", keyword=str(err.validator), message=err.message,
                     expected=err.validator_value)


def validator_factory(openapi: str = "3.0") -> Callable[[Mapping[str, Any]], BodyValidator]:
    """A cached constructor: building jsonschema validators is slow, bodies are many."""
    cache: dict[int, tuple[Mapping[str, Any], BodyValidator]] = {}

    def get(schema: Mapping[str, Any]) -> BodyValidator:
        hit = cache.get(id(schema))
        if hit is not None and hit[0] is schema:
            return hit[1]
        v = BodyValidator(schema, openapi)
        cache[id(schema)] = (schema, v)
        return v

    return get
