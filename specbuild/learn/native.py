"""The optional native decode and fold (``specbuild._native``, Rust, built from ``native/``).

In CPython most of the time per record went into decoding it and into turning each body into Python
objects and walking them (:mod:`specbuild.learn.schema`). The native module decodes records in their plain
form (:func:`fields_decoder`; anything else goes to :func:`specbuild.records.decode`), then parses a
body and folds it into a tree that mirrors :class:`~specbuild.learn.schema.Shape` field for field, with the
same limits and the same patterns (every one passed in from :mod:`specbuild.learn.rules` below, so
the rules live in one place). The tree comes back as a ``Shape`` through :func:`settled`, and since merging shapes is
exact, the written spec is byte-identical with or without it: the test suite runs both ways and
compares states, decoded records and whole specs.

One more loop runs there for the render: the cell sums of the null rate's grid search
(:func:`null_terms`, learn/nullrate.py), the same floats as the Python sums.

It is optional: a machine without a Rust toolchain installs the pure-Python package, and
``SPECBUILD_PURE=1`` turns the native fold off (to compare, or to rule it out when chasing a bug).
"""

from __future__ import annotations

import copyreg
import importlib
import importlib.util
import os
import re
import warnings
from collections.abc import Callable, Iterable
from types import ModuleType
from typing import Any, Final, cast

from specbuild import segments
from specbuild.http import PlainRule
from specbuild.learn import rules, schema
from specbuild.records import EMPTY, Body


def _load() -> ModuleType | None:
    if os.environ.get("SPECBUILD_PURE", "") not in ("", "0"):
        return None
    try:  # by name: the compiled module is optional, and `from specbuild import` would load the package API
        module = importlib.import_module("specbuild._native")
    except ImportError as error:  # not built here (no Rust toolchain at install time), or refused
        if importlib.util.find_spec("specbuild._native") is not None:
            # built, but the loader refused it (static TLS used up, a missing symbol): said, or every
            # build is slower and nothing tells why
            warnings.warn(f"specbuild._native did not load ({error}); the pure-Python fold runs: the same "
                          "spec, slower", RuntimeWarning, stacklevel=2)
        return None
    return module


_native = _load()

def _set_up(module: ModuleType) -> None:
    module.configure(rules.native_table())  # every limit and pattern the Rust code follows
    module.configure_segments(_segment_table())
    module.set_body_type(Body, EMPTY)
    # Shards and pool workers send their builders back by multiprocessing's pickling: native parts
    # travel as their compact bytes (a tree of Python objects pickles ~10x slower). Between processes of
    # one run only: a state file is data (specbuild.learn.state).
    copyreg.pickle(module.Acc, lambda acc: (load, (dump(acc),)))
    copyreg.pickle(module.Params, lambda params: (load_params, (dump(params),)))


def _segment_table() -> dict[str, str | int]:
    """The patterns of :mod:`specbuild.segments` that ``typed_segment`` follows, each anchored as Python uses
    it (``match``: at the start; ``\\Z`` is Rust's ``\\z``; ``custom_method`` is a ``fullmatch``), flags inline."""
    table: dict[str, str | int] = {"base36_min": segments.BASE36_MIN}
    for name, pattern in _SEGMENT_PATTERNS.items():
        text = pattern.pattern.replace(r"\Z", r"\z")
        text = ("(?i)" if pattern.flags & re.IGNORECASE else "") + text
        table[name] = f"^(?:{text})" + (r"\z" if name in _FULLMATCHED else "")
    # version_after's `previous.lower() in API_PREFIXES`, as a pattern (ASCII: lower() is (?i))
    table["api_prefix"] = "^(?i:" + "|".join(map(re.escape, sorted(segments.API_PREFIXES))) + r")\z"
    return table


_SEGMENT_PATTERNS: Final = {
    "integer": segments._INTEGER, "digits": segments._DIGITS, "uuid": segments._UUID, "hex": segments._HEX,
    "date": segments._DATE, "date_time": segments._DATE_TIME, "ipv4": segments._IPV4, "email": segments._EMAIL,
    "version": segments._VERSION, "extension": segments.EXTENSION, "sigil_id": segments._SIGIL_ID,
    "hex_part": segments._HEX_PART, "camel": segments._CAMEL, "acronym_end": segments._ACRONYM_END,
    "custom_method": segments._CUSTOM_METHOD, "open_arn": segments._OPEN_ARN,
}
_FULLMATCHED: Final = frozenset({"custom_method", "open_arn"})  # the patterns Python uses with fullmatch

if _native is not None:
    _set_up(_native)

AVAILABLE: Final = _native is not None


class _Never:
    """Stands for the native JSON type when there is none: no value is ever of this type."""


# The type of a body parsed natively (``type(value) is JSON_TYPE`` tells the builder to fold it natively).
JSON_TYPE: Final[type] = _native.Json if _native is not None else _Never
# The type of a form body decoded natively (its fields stay in Rust: ``Params.fold_form`` folds them).
FORM_TYPE: Final[type] = _native.Form if _native is not None else _Never


def json_parser() -> Callable[[str], Any] | None:
    """The native JSON parser for ``records.decode``, or None when the native fold is not available.

    It raises ValueError on anything it does not take (including JSON nested deeper than serde_json's
    128 levels); the caller then asks orjson, the reference, which decides.
    """
    return _native.parse if _native is not None else None


def null_terms(counts: list[int], chances: list[float], nulls: list[bool]) -> Callable[[float], float] | None:
    """The log-likelihood of one row of ``nullrate``'s grid at a share (``NullTerms.at``: its terms summed
    natively, the same float as the Python sum), or None when the native module is not available."""
    return _native.NullTerms(counts, chances, nulls).at if _native is not None else None


FieldsDecoder = Callable[[bytes | str, int], tuple[Any, ...] | None]


def fields_decoder(keep_request: Callable[[str], bool] | None = None,
                   keep_response: Callable[[str], bool] | None = None, *, targets: bool = False,
                   instants: bool = False, plain_request: PlainRule | None = None,
                   plain_response: PlainRule | None = None) -> FieldsDecoder | None:
    """``decode(raw, max_body_bytes)``: a record in its plain, common form as an Exchange's fields in
    order (without ``origin``); None without the native module.

    ``keep_request`` and ``keep_response`` (asked once per header name): only the headers they keep
    come out, for a fold that reads no others (most of a record's headers are generic ones it drops;
    once refused, a name is skipped unread; with a ``plain_`` rule, ``http.HeaderPolicy.plain``'s, they
    are asked about only the names the rule leaves to them). ``targets``: two more fields, the request target's
    :func:`~specbuild.learn.witnesses.target_hash` (``SpecBuilder.add_fields``'s ``target``) and, for a
    request that sent a body, its :func:`~specbuild.learn.witnesses.request_hash` (``request``; None
    without one). ``instants``:
    the timestamp, where the decoder reads it (RFC 3339, as recorders write it), is the instant's second
    (an int: ``math.floor(records.epoch_seconds(text))``, what ``SpecBuilder._saw`` keeps), else the text.

    The decoder answers None for any record :func:`specbuild.records.decode` must look at (errors,
    ``url`` targets, escaped query strings, form bodies, ...): call that one then. Where it answers, the
    fields equal what ``records.decode`` gives with :func:`json_parser` (tests hold it to that). The fold
    takes them straight to ``SpecBuilder.add_fields``: building an Exchange would cost a twentieth of
    the time per record.
    """
    if _native is None:
        return None
    decode: FieldsDecoder = (
        _native.decode_record if keep_request is None and keep_response is None and not targets and not instants
        else _native.Decoder(keep_request, keep_response, targets, instants, plain_request, plain_response))
    return decode


BatchDecoder = Callable[[list[bytes | str], int], list[tuple[Any, ...] | None]]


def batch_decoder(decoder: Callable[[bytes | str, int], tuple[Any, ...] | None] | None) -> BatchDecoder | None:
    """``decoder`` (from :func:`fields_decoder`) over a batch: ``decode(raws, max_body_bytes)``, each raw
    record's fields or None, in one native call (``run.Fold.add_many``); None without the module."""
    if decoder is None or _native is None or not isinstance(decoder, _native.Decoder):
        return None
    decode_many: BatchDecoder = cast(Any, decoder).decode_many
    return decode_many


def segment_typer() -> Callable[[str], str | None] | None:
    """``typed(seg)``: ``templater._typed`` of a segment of printable ASCII without ``%`` (its label,
    ``""`` for a word), None for any other (Python types it); None without the native module."""
    return _native.typed_segment if _native is not None else None


SkeletonWalk = Callable[[str, list[str], dict[str, set[str]], int, Callable[[str], tuple[str, str | None]]],
                        tuple[str, list[str]] | None]


def path_skeleton() -> SkeletonWalk | None:
    """``skeleton(path, hinted, words, cap, word)``: ``PathTemplater._skeleton`` of a path of printable ASCII
    without ``%`` in one call (its key, and the prefixes it filled past ``cap``), from the ``hinted``
    labels a hint placed, updating the word sets ``words`` as Python does and asking ``word``
    (``templater._word``) for a word's label at an open position; None for any other path (Python walks
    it); None without the native module."""
    return _native.skeleton if _native is not None else None


def new_accumulator() -> Any:
    """A root position that folds natively parsed bodies (``add``) until they are settled."""
    assert _native is not None, "only called for bodies the native parser produced"
    return _native.Acc()


def path_names() -> Any:
    """Where ``Acc.core_paths`` keeps the strings it made (each path text one string, for every
    accumulator asked with it); None without the native module."""
    return _native.PathNames() if _native is not None else None


def words(test: Callable[[str], bool] | None = None, given: Iterable[str] = ()) -> Any:
    """Words for ``Acc.who_values`` (``test`` asked once per name) and ``Acc.fields_among`` (``given``);
    None without the native module."""
    return _native.Words(test, list(given)) if _native is not None else None


def dump(acc: Any) -> bytes:
    """An accumulator's (or parameters') state as bytes: how it crosses between the processes of one run
    (the copyreg reducers of :func:`_set_up`, so the builder's own classes need no pickling hooks)."""
    data: bytes = acc.dump()
    return data


def load(data: bytes) -> Any:
    """The accumulator :func:`dump` gave."""
    assert _native is not None, "only called where the native module is there"
    return _native.Acc.load(data)


def from_export(shape: Any) -> Any:
    """An accumulator from a shape as ``export()`` gives it (nested lists or tuples; a state file's SHAPE)."""
    assert _native is not None, "only called where the native module is there"
    return _native.Acc.from_export(shape)


def new_params() -> Any:
    """Parameters by name (one ``dict[str, ParamState]`` of the builder) folding a record's pairs with
    ``fold(pairs, keep)`` until they are settled (``builder._settle_params``)."""
    assert _native is not None, "only called where the native module is loaded"
    return _native.Params()


def load_params(data: bytes) -> Any:
    """The parameters :func:`dump` gave."""
    assert _native is not None, "only called where the native module is there"
    return _native.Params.load(data)


def settled(shape: schema.Shape, acc: Any) -> schema.Shape:
    """``shape`` with what ``acc`` saw folded in (exact: as if its bodies had been added to ``shape``)."""
    if not acc.count:
        return shape
    return _joined(shape, _shape(acc.export()))


def _joined(shape: schema.Shape, theirs: schema.Shape) -> schema.Shape:
    if not theirs.count:
        return shape
    if not shape.count:
        return theirs
    shape.merge(theirs)
    return shape


_NEW_SHAPE: Final = schema.Shape.__new__


def _shape(state: tuple[Any, ...]) -> schema.Shape:
    count, kinds, depth, objects, props, extra, items, fmts, vals, ents = state
    out = _NEW_SHAPE(schema.Shape)  # every slot set here: Shape() would set each first (a node of each body)
    out.count, out.kinds, out.depth, out.objects, out.fmts, out.vals = count, kinds, depth, objects, fmts, vals
    out.ents = ents
    out.props = None if props is None else {key: _shape(child) for key, child in props}
    out.extra = None if extra is None else _shape(extra)
    out.items = None if items is None else _shape(items)
    return out
