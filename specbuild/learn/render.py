"""Render a SpecBuilder into an OpenAPI 3 document; pure and deterministic.

``render(builder, options) -> dict``: templates are decided from all the evidence (paths.py), the fold
states of every skeleton key that lands on one template are merged, and each operation becomes an
OpenAPI operation. Keys are put in their conventional order when the document is serialised
(io/order.py); every choice made here (names, order of alternatives, servers) depends only on what was
seen, never on the order.
"""

from __future__ import annotations

import copy
import functools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any, Final
from urllib.parse import unquote

import orjson

from specbuild import multipart
from specbuild.extensions import BODY_OPTIONAL, CALLS, EVIDENCE, EVIDENCE_REF_COUNTS, INFERRED, MULTI_SEGMENT, SEEN
from specbuild.http import OPERATION_METHODS, url_host
from specbuild.http import served as served_status
from specbuild.learn import native
from specbuild.learn.builder import (
    REFUSED_BARE,
    Bodies,
    BodyState,
    OperationState,
    ParamMap,
    ParamState,
    ResponseState,
    SpecBuilder,
    redact,
)
from specbuild.learn.collector import paused
from specbuild.learn.columns import Columns, open_columns, users_columns
from specbuild.learn.components import share_schemas
from specbuild.learn.enums import share_enums
from specbuild.learn.examples import fit
from specbuild.learn.field_errors import field_keyed_errors, request_fields, request_schemas
from specbuild.learn.forms import DEEP_OBJECT, deep_groups, deep_schema, form_media
from specbuild.learn.naming import name_operations, singular, words
from specbuild.learn.nullability import (
    Place,
    is_nullable,
    places_again,
    places_by_path,
    resource_word,
    share_nulls,
    value_type,
)
from specbuild.learn.paths.templater import Features, PathParam, Template
from specbuild.learn.paths.templates import Refusals
from specbuild.learn.paths.templating import ITEM_NAMES, Listed
from specbuild.learn.rules import (
    CORE_DEPTH,
    CORE_MIN_PERCENT,
    ENUM_MIN_WITNESSES,
    REQUIRED_MIN_OBJECTS,
    REQUIRED_MIN_WITNESSES,
)
from specbuild.learn.schema import (
    NO_KEY_VALUES,
    SCALAR_KEYS,
    KeyValues,
    Shape,
    fields_among,
    names_who,
    user_named,
    who_values,
    without_seen,
)
from specbuild.learn.statuses import (
    CLIENT_ERRORS,
    SUCCESS,
    Answers,
    answers,
    client_errors,
    may_err,
    only_failed,
    success_media,
)
from specbuild.learn.witnesses import Witnesses
from specbuild.records import serves_files
from specbuild.segments import escape_segment, split_path

OPENAPI_VERSIONS = {"3.0": "3.0.3", "3.1": "3.1.0"}
NO_CONTENT_STATUSES = frozenset({204, 205, 304})


@dataclass(frozen=True, slots=True)
class RenderOptions:
    openapi: str = "3.0"
    title: str = "API learned by specbuild"
    api_version: str = "0.1.0"
    server_url: str | None = None
    base_path: str | None = None    # None: keep paths whole; "auto": move the shared prefix; "/x": move it
    enums: bool = True
    examples: bool = False
    evidence: bool = True           # x-specbuild-seen on learned schemas (drift/evidence.py reads them)
    file_paths: bool = False        # a file path with folders as one parameter (learn/paths/filepaths.py)
    # the words the paths hold as parameter values (render() decides them from the templates)
    path_values: frozenset[str] = frozenset()
    # the fields each resource's answers hold in most objects (render() reads them from the features),
    # and the resource of the operation being rendered
    fields: ResourceFields | None = None
    resource: str = ""
    # the strings the bodies hold as who or what (render() decides them from the fold: key_values)
    key_values: KeyValues = NO_KEY_VALUES
    max_servers: int = 5
    components: bool = True     # equal object schemas shared under components/schemas (learn/components.py)
    # each credential's security scheme name (render() names them all first: _scheme_names)
    scheme_names: Mapping[str, str] = field(default_factory=dict)
    # the users' columns each operation's answers hold, by position (render() decides them: learn/columns.py)
    columns: Columns = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


# A task run in another process, and the function that waits for its answer (None: it could not start
# there); the build hands in :func:`specbuild.parallel.forked`, the pure core starts no process.
Elsewhere = Callable[[Callable[[], Any]], Callable[[], Any] | None]
# Skeleton keys from which half the operations are merged and rendered elsewhere: below, starting a
# process costs more than it saves (the mix's 100k: 3,391 keys, ~0.35 s of merging and rendering).
ELSEWHERE_MIN_KEYS: Final = 1024


def render(builder: SpecBuilder, options: RenderOptions | None = None,
           elsewhere: Elsewhere | None = None) -> dict[str, Any]:
    """The OpenAPI document learned so far. ``elsewhere``: half the operations are merged and rendered
    in another process meanwhile (the same document)."""
    with paused():  # the collections its many dicts set off took a fifth of a render (the mix's 100k)
        return _render(builder, options, elsewhere)


def _render(builder: SpecBuilder, options: RenderOptions | None, elsewhere: Elsewhere | None) -> dict[str, Any]:
    opts = options or RenderOptions()
    large = elsewhere is not None and len(builder.operations) >= ELSEWHERE_MIN_KEYS
    # what the bodies hold as who or what reads every key's folds, not the templates: read meanwhile
    held = elsewhere(functools.partial(who_strings, builder)) if elsewhere is not None and large else None
    feats = features(builder)
    templates = builder.templater.templates(feats, targets(builder), listed(builder), refused(builder),
                                            file_paths=opts.file_paths)
    opts = replace(opts, path_values=(values := path_values(templates)), fields=ResourceFields(feats, templates),
                   key_values=key_values(builder, held() if held is not None else None),
                   scheme_names=_scheme_names(builder),
                   columns=users_columns(_members(builder, templates), feats, _rows(builder)))
    groups = grouped_states(builder, templates)
    schemes: dict[str, dict[str, Any]] = {}
    if elsewhere is not None and large:
        rendered = _rendered_operations(groups, opts, schemes, elsewhere, _elsewhere(groups, builder, templates, feats))
    else:
        rendered = [_rendered(group, opts, schemes) for group in groups]
    paths: dict[str, dict[str, Any]] = {}
    for ((template, method), _), (out, _) in zip(groups, rendered, strict=True):
        paths.setdefault(template.path, {})[method.lower()] = out
    found = share_maps(paths, opts.openapi)
    share_nulls(paths, opts.openapi, found)
    share_enums([place for places in found.values() for place in places])
    references_unlisted(paths, builder)
    # after the nulls are shared: copies of one inferred body are no evidence of how often the API's
    # properties are null (nullability.fit_nulls counts each place)
    infer_statuses(paths, {key: seen for (key, _), (_, seen) in zip(groups, rendered, strict=True)}, opts)
    field_keyed_errors(paths, request_fields(paths))  # after the inferred 4XX copies: they are errors too
    if not opts.evidence:
        paths = without_seen(paths)
    tidy(paths, values)
    prefix = _base_path(list(paths), opts.base_path)
    if prefix:
        paths = {p[len(prefix):] or "/": v for p, v in paths.items()}
    tags = name_operations(paths)
    shared = share_schemas(paths) if opts.components else {}
    doc: dict[str, Any] = {
        "openapi": OPENAPI_VERSIONS[opts.openapi],
        "info": {"title": opts.title, "description": learned_from(builder), "version": opts.api_version},
    }
    if opts.evidence:  # how to read its counts (drift/evidence.py): a person's spec, or --no-evidence, has none
        doc[EVIDENCE] = EVIDENCE_REF_COUNTS
    servers = _servers(builder, opts, prefix)
    if servers:
        doc["servers"] = servers
    if tags:
        doc["tags"] = tags
    # the trailing slashes last: operationIds and component names are the path's, whichever form it has
    doc["paths"] = _with_slashes(paths, prefix, slashed(groups))
    if shared:
        doc["components"] = {"schemas": shared}
    if schemes:
        doc.setdefault("components", {})["securitySchemes"] = schemes
    return doc


def slashed(groups: list[Group]) -> frozenset[str]:
    """The template paths written with a trailing slash (``/v1/auth/login/``): every call of every method of
    the path was sent so, or, sent both ways, the form the server served (``http.served``) more often. The
    path is written once, in one form: Django, Flask and FastAPI serve only one of ``/x`` and ``/x/``."""
    some = {template.path for (template, _), states in groups if any(op.slashed for op in states)}
    seen: dict[str, list[int]] = {}  # path -> [calls, slashed, served, slashed served]
    for (template, _), states in groups:
        if template.path not in some:
            continue  # most paths: no call ended in "/"
        for op in states:
            counts = seen.setdefault(template.path, [0, 0, 0, 0])
            counts[0] += op.count
            counts[1] += op.slashed
            counts[2] += sum(resp.count for status, resp in op.responses.items() if served_status(status))
            counts[3] += op.slashed_served
    return frozenset(path for path, (calls, slash, ok, slash_ok) in seen.items()
                     if slash and path != "/" and (slash == calls or slash_ok > ok - slash_ok))


def _with_slashes(paths: dict[str, Any], prefix: str, slashed: frozenset[str]) -> dict[str, Any]:
    """``paths`` (below the base path ``prefix``), sorted, those ``slashed`` names (whole template paths)
    with their trailing slash: ``/`` below a prefix is the prefix itself, written ``/`` either way."""
    if not slashed:
        return {p: paths[p] for p in sorted(paths)}
    written = {(p + "/" if p != "/" and prefix + p in slashed else p): item for p, item in paths.items()}
    return {p: written[p] for p in sorted(written)}


def learned_from(builder: SpecBuilder, most: int = 3) -> str:
    """What the spec was learned from: ``Learned by specbuild from 5,000 HTTP exchanges with api.github.com.``

    Counts and host names only, all kept in the state and merged exactly: the same for any record order,
    shards, engine, or a resumed state; nothing of the machine (no file names).
    """
    ranked: Counter[str] = Counter()
    for (_, host), n in _hosts(builder):
        ranked[host] += n
    hosts = [h for h, _ in sorted(ranked.items(), key=lambda kv: (-kv[1], kv[0]))]
    text = f"Learned by specbuild from {_count(builder.exchanges, 'HTTP exchange')}"
    if len(hosts) > most:
        text += f" with {', '.join(hosts[:most])} and {_count(len(hosts) - most, 'other host')}"
    elif hosts:
        text += f" with {', '.join(hosts[:-1])} and {hosts[-1]}" if len(hosts) > 1 else f" with {hosts[0]}"
    return text + _recorded(builder.span) + "."


def _recorded(span: tuple[int, int] | None) -> str:
    """When the records say they happened (UTC, to the second): ``, recorded 2026-01-05T09:00:00Z to ...``."""
    if span is None:
        return ""
    first, last = (datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ") for t in span)
    return f", recorded at {first}" if first == last else f", recorded {first} to {last}"


def _count(n: int, what: str) -> str:
    return f"{n:,} {what}{'' if n == 1 else 's'}"


def merged_operations(builder: SpecBuilder, templates: Mapping[str, Template] | None = None,
                      file_paths: bool = False) -> dict[tuple[Template, str], OperationState]:
    """Fold states of all skeleton keys merged per (final template, method), sorted by path then method.

    The builder keeps its states (natively folded parts are merged as copies, natively: a few merged
    states are settled, not every skeleton key's). ``templates``: the builder's, when decided already.
    """
    if templates is None:
        templates = builder.templater.templates(features(builder), targets(builder), listed(builder),
                                                refused(builder), file_paths=file_paths)
    return {key: _merged(states) for key, states in grouped_states(builder, templates)}


Group = tuple[tuple[Template, str], list[OperationState]]


def grouped_states(builder: SpecBuilder, templates: Mapping[str, Template]) -> list[Group]:
    """The fold states of each (final template, method), in the order of their skeleton keys; sorted by
    path then method: what :func:`merged_operations` merges, before it merges them."""
    groups: dict[tuple[Template, str], list[OperationState]] = {}
    for (key, method), state in sorted(builder.operations.items()):
        groups.setdefault((templates[key], method), []).append(state)
    return sorted(groups.items(), key=lambda kv: (kv[0][0].path, _method_rank(kv[0][1])))


def _members(builder: SpecBuilder, templates: Mapping[str, Template]) -> dict[tuple[str, str], list[str]]:
    """The skeleton keys of each operation (its template's path, and its method)."""
    out: dict[tuple[str, str], list[str]] = {}
    for key, method in builder.operations:
        out.setdefault((templates[key].path, method), []).append(key)
    return out


def _rows(builder: SpecBuilder) -> Callable[[str, str], int]:
    """The distinct requests a skeleton key's method was answered with a success for (its responses' sketches
    of target and body: learn/witnesses.py; 0 where a state did not count them), as asked."""
    def rows(key: str, method: str) -> int:
        op = builder.operations.get((key, method))
        served = [resp for status, resp in op.responses.items() if 200 <= status < 300] if op is not None else []
        if any(resp.requests is None for resp in served):
            return 0
        return _distinct_requests(served) or 0
    return rows


def _merged(states: list[OperationState]) -> OperationState:
    """``states`` merged as copies into a new state, settled."""
    target = OperationState()
    for state in states:
        target.merge(state, take=False)
    target.settle()
    return target


Rendered = tuple[dict[str, Any], Answers]  # an operation's part of the document, and what statuses.py reads of it


# The share of the guessed work another process takes. This one pays for the fork and the pages it then
# copies, and reads the answer: on the mix's 100k, half of the guess was ~0.16 s of CPU there and ~0.23 s
# here (~0.3 s alone); 0.6 gives ~0.2 s each, 0.7 ~0.19 here and ~0.22 there (the child then ends last).
ELSEWHERE_SHARE: Final = 0.6


def _elsewhere(groups: list[Group], builder: SpecBuilder, templates: Mapping[str, Template],
               found: Mapping[str, Features]) -> list[bool]:
    """Which groups another process renders: ELSEWHERE_SHARE of the work. A group's work is guessed from
    its keys' core response paths (their shapes' size): rendering the merged shape (about the largest
    key's) and merging each key's into it, a twentieth as much per path (fitted on the mix's 100k, where
    a few large objects' operations are most of the work); shared out largest first."""
    size: dict[tuple[Template, str], list[int]] = {}  # the largest key's paths, and all keys'
    for key, method in builder.operations:
        paths = 1 + len(found[key].calls.get(method, ()))
        seen = size.setdefault((templates[key], method), [0, 0])
        seen[0], seen[1] = max(seen[0], paths), seen[1] + paths
    weight = {group: largest + every / 20 for group, (largest, every) in size.items()}
    there = [False] * len(groups)
    room = ELSEWHERE_SHARE * sum(weight.values())
    for i in sorted(range(len(groups)), key=lambda i: -weight[groups[i][0]]):
        if weight[groups[i][0]] <= room:
            there[i] = True
            room -= weight[groups[i][0]]
    return there


def _rendered_operations(groups: list[Group], opts: RenderOptions, schemes: dict[str, dict[str, Any]],
                         elsewhere: Elsewhere, there: list[bool]) -> list[Rendered]:
    """Each group merged (:func:`_merged`) and rendered as an operation, in order: those ``there`` by
    ``elsewhere`` meanwhile (merging is most of it: Rust, on states this process keeps)."""
    theirs = [group for group, away in zip(groups, there, strict=True) if away]
    wait = elsewhere(functools.partial(_rendered_text, theirs, opts)) if theirs else None
    if wait is None:
        return [_rendered(group, opts, schemes) for group in groups]
    mine = [_rendered(group, opts, schemes) for group, away in zip(groups, there, strict=True) if not away]
    answer = wait()
    if answer is None:  # it ended without an answer (killed, out of memory), or JSON could not say it
        away = [_rendered(group, opts, schemes) for group in theirs]
    else:
        text, their_schemes, seen = answer
        away = list(zip(orjson.loads(text), seen, strict=True))
        schemes.update(their_schemes)
    here, there_ = iter(mine), iter(away)
    return [next(there_) if far else next(here) for far in there]


def _rendered(group: Group, opts: RenderOptions, schemes: dict[str, dict[str, Any]]) -> Rendered:
    (template, method), states = group
    op = _merged(states)
    columns = opts.columns.get((template.path, method))
    if columns:
        open_columns(op, columns)
    if opts.fields is not None:
        opts = replace(opts, resource=resource_word(template.path))
    return _operation(template, method, op, opts, schemes), answers(op)


def _rendered_text(groups: list[Group], opts: RenderOptions
                   ) -> tuple[bytes, dict[str, dict[str, Any]], list[Answers]] | None:
    """:func:`_rendered` of each group, as another process answers it: the operations as JSON text
    (their dicts are plain JSON, each its own tree; orjson reads back key order and values exactly),
    the security schemes they named, and what statuses.py reads of each; None when JSON cannot say them."""
    schemes: dict[str, dict[str, Any]] = {}
    rendered = [_rendered(group, opts, schemes) for group in groups]
    try:
        return orjson.dumps([out for out, _ in rendered]), schemes, [seen for _, seen in rendered]
    except TypeError:  # orjson.JSONEncodeError: an int over 64 bits (from the traffic): rendered there
        return None


def counts(builder: SpecBuilder, file_paths: bool = False) -> tuple[int, int]:
    """The paths and operations :func:`render` would write (before a base path is taken out or a person's
    spec overlaid): the templates decided, nothing rendered. For a progress line."""
    templates = builder.templater.templates(features(builder), targets(builder), listed(builder),
                                            refused(builder), file_paths=file_paths)
    operations = {(templates[key].path, method) for key, method in builder.operations}
    return len({path for path, _ in operations}), len(operations)


def features(builder: SpecBuilder) -> dict[str, Features]:
    """Per skeleton key: its methods and the *core* property paths of its successful JSON responses,
    and which method's answers held them (siblings are compared call by call).

    Core: present in at least CORE_MIN_PERCENT % of the objects at that position. The templater reads these as
    evidence that siblings are one resource; rare or random keys (mock-server filler, maps the schema
    did not recognise) would otherwise make the same resource look different.
    """
    calls: dict[str, dict[str, frozenset[str]]] = defaultdict(dict)
    names = native.path_names()  # the ~240k core paths of the mix's 100k are ~9k texts: a string each
    for (key, method), op in builder.operations.items():
        found = [paths for status, resp in op.responses.items() if 200 <= status < 300
                 for body in resp.bodies.by_media.values() if (paths := _core_paths_of(body, names))]
        # most operations: one body's paths, made a set once (not grown in a set, then copied)
        calls[key][method] = frozenset(found[0]) if len(found) == 1 else frozenset().union(*found)
    return {key: Features(by_method) for key, by_method in calls.items()}


def targets(builder: SpecBuilder) -> dict[str, int]:
    """Per skeleton key: the distinct request targets that reached it, any method and status (learn/witnesses.py),
    where they were counted. The templater tells a word seen once or twice (``/Attachments/report.pdf``)
    from one called again and again on many ids (``/statuses/{id}/mute``)."""
    acc: dict[str, Witnesses] = {}
    for (key, _), op in builder.operations.items():
        seen = acc.setdefault(key, Witnesses())
        for resp in op.responses.values():
            seen.merge(resp.witnesses)
    return {key: n for key, seen in acc.items() if (n := seen.count()) is not None}


# A path the server has nothing at answers "not found"; a name it refuses, "invalid" (400 or 422) in the
# error shape the API answers elsewhere (:func:`refused`).
NOT_FOUND: Final = 404
INVALID: Final = frozenset({400, 422})
_REFUSALS: Final = INVALID | {NOT_FOUND}


def refused(builder: SpecBuilder) -> Refusals:
    """The skeleton keys every answer of which refused the path itself, any method: 404, or 400/422 in an
    error shape (media types, top-level names) the API answered at a key it also served (a 2xx there).
    Phoenix's ``GET /v1/projects/no-such-project`` (404), Parse's ``POST /schemas/2ndClass`` (400
    ``{code, error}``, as every Parse error): a missing item, an invalid name, no operation. The
    templater reads them as errors of the template beside them (``paths.templating``). A 401, 403, 409 or
    5xx says nothing of the kind (``/login`` refused a caller, ``/health`` was down), and neither does a
    400 in a shape of its own (another layer answered), but of a value the template's ids would not take
    (``malformed``: every answer 400/422, whatever its shape, to calls that sent no query nor body: a
    call with input may have been refused for it)."""
    refusing: dict[str, set[int]] = defaultdict(set)   # the keys each call of which so far refused, how
    answered: set[str] = set()                          # ... and those with another answer
    for (key, _), op in builder.operations.items():
        if op.responses.keys() <= _REFUSALS:
            refusing[key].update(op.responses)
        else:
            answered.add(key)
    keys = {key for key, seen in refusing.items() if seen and key not in answered}
    out = {key for key in keys if refusing[key] == {NOT_FOUND}}
    # a call that carried input (a query, a body) may have been refused for it, not for its path: a bad
    # payload to POST /jobs/check, GET /users/lookup?name=x without its required email, a form lacking its file
    malformed = frozenset(key for key in keys if refusing[key] <= INVALID) - _carried_input(builder)
    if keys == out:
        return Refusals(frozenset(out), malformed)
    invalid: dict[str, set[ErrorShape]] = defaultdict(set)   # each key's "invalid" answers' shapes
    for (key, _), op in builder.operations.items():
        if key in keys and key not in out:
            invalid[key].update(_error_shape(resp) for status, resp in op.responses.items() if status in INVALID)
    # the shapes not yet seen where the API served: looked for until all are (most APIs have one)
    unseen = set().union(*invalid.values())
    served = {key for (key, _), op in builder.operations.items() if any(200 <= status < 300 for status in op.responses)}
    for (key, _), op in builder.operations.items():
        if not unseen:
            break
        if key in served:
            unseen.difference_update(_error_shape(resp) for status, resp in op.responses.items() if 400 <= status < 500)
    return Refusals(frozenset(out | {key for key, shapes in invalid.items() if not shapes & unseen}), malformed)


def _carried_input(builder: SpecBuilder) -> set[str]:
    """The skeleton keys some call of which sent a query parameter (API keys aside) or a request body."""
    return {key for (key, _), op in builder.operations.items()
            if op.query or (op.pending_query is not None and len(op.pending_query)) or op.request.by_media}


ErrorShape = frozenset[tuple[str, frozenset[str]]]


def _error_shape(resp: ResponseState) -> ErrorShape:
    """An error response's shape: each media type with the top-level names of its bodies."""
    out = []
    for media, body in resp.bodies.by_media.items():
        core = _core_paths_of(body)
        out.append((media, frozenset(p.partition(".")[0].partition("[]")[0] or "[]" for p in core)))
    return frozenset(out)


def listed(builder: SpecBuilder) -> Listed:
    """The names the collections at skeleton keys list (:class:`~specbuild.learn.paths.templating.Listed`)
    and those clients POSTed into a collection (:func:`_posted_names`), read only where the templater
    asks, each key's and the posts' once."""
    return _Names(builder)


class _Names:
    """:func:`listed`'s answers, each worked out on the first question."""

    def __init__(self, builder: SpecBuilder) -> None:
        self.builder = builder
        self.known: dict[str, frozenset[str]] = {}
        self.posts: dict[str, frozenset[str]] | None = None
        self.fields: dict[tuple[str, str], frozenset[str]] | None = None

    def __call__(self, keys: Sequence[str]) -> frozenset[str]:
        out: set[str] = set()
        for key in keys:
            found = self.known.get(key)
            if found is None:
                found = self.known[key] = _listed_names(self.builder, key)
            out |= found
        return frozenset(out)

    def posted(self, noun: str) -> frozenset[str]:
        if self.posts is None:
            self.posts = _posted_names(self._fields())
        return self.posts.get(noun, frozenset())

    def posted_field(self, noun: str, name: str) -> frozenset[str]:
        return self._fields().get((noun, name), frozenset())

    def _fields(self) -> dict[tuple[str, str], frozenset[str]]:
        if self.fields is None:
            self.fields = _posted_fields(self.builder)
        return self.fields


def _posted_names(fields: Mapping[tuple[str, str], frozenset[str]]) -> dict[str, frozenset[str]]:
    """The ITEM_NAMES strings clients POSTed in JSON bodies, by the last word of the path they POSTed to
    (of :func:`_posted_fields`): Phoenix's ``POST /v1/prompt_versions/{id}/tags {"name": "production"}``,
    then ``/v1/prompts/{name}/tags/production``: a name the API accepted into a collection of ``tags`` is
    an item wherever a ``tags`` collection is followed by it."""
    out: dict[str, set[str]] = {}
    for (noun, name), found in fields.items():
        if name in ITEM_NAMES:
            out.setdefault(noun, set()).update(found)
    return {noun: frozenset(found) for noun, found in out.items()}


def _posted_fields(builder: SpecBuilder) -> dict[tuple[str, str], frozenset[str]]:
    """The strings clients POSTed in each top-level field of JSON bodies, by the last word of the path they
    POSTed to and the field's name: Prefect's ``POST /api/concurrency_limits/ {"tag": "warehouse:search"}``,
    then ``/api/concurrency_limits/tag/warehouse:search`` (from the distinct strings a shape keeps)."""
    out: dict[tuple[str, str], set[str]] = {}
    for (key, method), op in builder.operations.items():
        noun = key.rsplit("/", 1)[-1]
        if method != "POST" or not noun or not noun[0].isalpha():
            continue
        for body in op.request.by_media.values():
            shape = body.settled_shape()
            if shape is None:
                continue
            for node in (shape, shape.items):
                for name, prop in (node.props if node is not None and node.props else {}).items():
                    if prop.vals:
                        out.setdefault((noun, name), set()).update(escape_segment(v) for v in prop.vals)
    return {where: frozenset(found) for where, found in out.items()}


_ITEM_NAMES: Final = sorted(ITEM_NAMES)  # as the native read takes them


def _listed_names(builder: SpecBuilder, key: str) -> frozenset[str]:
    """The ITEM_NAMES strings of the items ``GET key`` answered in a list, bare or in an envelope
    (``{"projects": [{"id": "default"}]}``), as path segments spell them; from the distinct strings each
    shape keeps (none past its cap: many names make their own evidence in the paths)."""
    op = builder.operations.get((key, "GET"))
    out: set[str] = set()
    for status, resp in op.responses.items() if op is not None else ():
        for body in resp.bodies.by_media.values() if 200 <= status < 300 else ():
            native_only = body.natively_only()
            if native_only is not None:
                # read there (settling a copy to read a few tables was most of the devset's listings: 29 ms
                # of its templates' 0.26 s)
                out.update(escape_segment(v) for v in native_only.item_values(_ITEM_NAMES))
                continue
            shape = body.settled_shape()
            if shape is not None:
                out.update(escape_segment(v) for v in item_values(shape))
    return frozenset(out)


def item_values(shape: Shape) -> Iterator[str]:
    """The values in the table of each ITEM_NAMES field of the items of a list at the shape's root or right
    below it (``[{"id": ..}]``, ``{"projects": [{"id": ..}]}``); the native twin: ``Acc.item_values``."""
    for items in [shape.items, *(child.items for child in (shape.props or {}).values())]:
        props = items.props if items is not None and items.props else {}
        for name in ITEM_NAMES & props.keys():
            yield from props[name].vals or ()


def _core_paths_of(body: BodyState, names: Any = None) -> Collection[str]:
    """The core paths of a body's shape (``names``: native.path_names's, for the native part)."""
    if body.shape is None:
        return ()
    native_only = body.natively_only()
    if native_only is not None:
        return native_only.core_paths(CORE_DEPTH, names)  # type: ignore[no-any-return]
    out: set[str] = set()
    shape = body.settled_shape()  # both parts, where there are: their merge decides what is core
    if shape is not None and shape.count:
        _core_paths(shape, "", CORE_DEPTH, out)
    return out


def _core_paths(shape: Shape, prefix: str, depth: int, out: set[str]) -> None:
    if depth < 0:
        return
    if shape.items is not None and shape.items.count:
        _core_paths(shape.items, prefix + "[]", depth, out)
    if not shape.props or not shape.objects:
        return
    for name, sub in shape.props.items():
        if sub.count * 100 >= shape.objects * CORE_MIN_PERCENT:
            path = f"{prefix}.{name}" if prefix else name
            out.add(path)
            _core_paths(sub, path, depth - 1, out)


class ResourceFields:
    """Per resource word (:func:`nullability.resource_word`), the fields its successful answers hold under an
    object's name (``data``, ``results[]``): a field core (in most of the objects) in the answers of half the
    skeleton keys, at least, that answer the name. What a partial update of the resource sends some of
    (schema.Known). Strapi's events answer the same 12 fields under ``data`` at every key; Kinto's records
    answer each user's own keys under ``custom``, each key its record's, and none of them is a field.
    Worked out on the first asking, for the word and name asked: few bodies ask (sparse keys under a name
    users fill in), and the mix's 100k hold ~240k core paths."""

    __slots__ = ("_by_word", "_feats", "_names", "_templates")

    def __init__(self, feats: Mapping[str, Features], templates: Mapping[str, Template]) -> None:
        self._feats, self._templates = feats, templates
        self._by_word: dict[str, dict[int, list[Any]]] | None = None
        self._names: dict[tuple[str, str], frozenset[str]] = {}

    def of(self, word: str) -> Callable[[str], frozenset[str]]:
        """The fields under an object's name in ``word``'s answers (none: an empty set)."""
        return lambda name: self._fields(word, name)

    def _fields(self, word: str, name: str) -> frozenset[str]:
        """Worked out for the name asked only: a body asks of one or two names, and the word's cores hold
        every path of its answers (the paths under another name are passed over by a substring test)."""
        found = self._names.get((word, name))
        if found is not None:
            return found
        if self._by_word is None:
            self._by_word = self._cores()
        start, inner, tail = name + ".", "." + name + ".", "." + name
        answering = 0  # the keys answering the name
        held: dict[str, int] = {}  # per field, the keys holding it in most objects
        for core, n in self._by_word.get(word, {}).values():
            fields = {path.rpartition(".")[2] for path in core if (path.startswith(start) or inner in path)
                      and _under(path, name, tail)}
            if fields:
                answering += n
                for field_name in fields:
                    held[field_name] = held.get(field_name, 0) + n
        found = self._names[(word, name)] = frozenset(f for f, n in held.items() if 2 * n >= answering)
        return found

    def _cores(self) -> dict[str, dict[int, list[Any]]]:
        """Each word's distinct cores and how many keys hold each (keys share them: the mix's 3,327 keys
        hold 1,663)."""
        words: dict[str, str] = {}  # a template path's word (a path has several keys)
        by_word: dict[str, dict[int, list[Any]]] = {}
        for key, core in self._feats.items():
            if core:
                path = self._templates[key].path
                word = words[path] if path in words else words.setdefault(path, resource_word(path))
                held = by_word.setdefault(word, {}).setdefault(id(core), [core, 0])
                held[1] += 1
        return by_word


def _under(path: str, name: str, tail: str) -> bool:
    """Whether ``path``'s last step is a field of an object named ``name`` (``data.title`` of ``data``)."""
    parent = path.rpartition(".")[0]
    return parent == name or parent.endswith(tail)


def _method_rank(method: str) -> int:
    m = method.lower()
    return OPERATION_METHODS.index(m) if m in OPERATION_METHODS else len(OPERATION_METHODS)


def _operation(template: Template, method: str, op: OperationState, opts: RenderOptions,
               schemes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"description": observed(op.count, sorted(op.responses))}
    params = [_path_param(p) for p in template.params]
    params += _parameters("query", op.query, op.count, opts)
    params += _parameters("header", op.headers, op.count, opts)
    if params:
        out["parameters"] = params
    _note_more(out, "query-parameters", op.query)
    _note_more(out, "header-parameters", op.headers)
    if op.request.by_media:
        out["requestBody"] = _request_body(op.request, op.count, opts, _requests_sent(op))
    out["responses"] = {str(status): _response(status, op.responses[status], opts)
                        for status in sorted(op.responses)}
    if not template.params and "requestBody" not in out and not op.query and not op.query.dropped:
        _note_calls(out["responses"], op.responses)
    if params:
        _selectors_unlisted(params, out["responses"])
    security = _security(op.security, schemes, opts.scheme_names)
    if security:
        out["security"] = security
    return out


# What a parameter that spans segments says to a reader (OpenAPI's path templating has no word for it).
SPANS_DESCRIPTION: Final = ("A path of one or more segments, `/` included (a file in folders: `docs/readme.md`); "
                            "the traffic called it at several depths.")


def _path_param(param: PathParam) -> dict[str, Any]:
    """A path parameter; one that spans segments (a file path) says so, to readers and to ``check``."""
    if param.spans:
        return {"name": param.name, "in": "path", "description": SPANS_DESCRIPTION, "required": True,
                "schema": dict(param.schema), MULTI_SEGMENT: True}
    return {"name": param.name, "in": "path", "required": True, "schema": dict(param.schema)}


def _note_calls(responses: dict[str, Any], states: dict[int, Any]) -> None:
    """A route without parameters, called without a query or a body (each call names the route and nothing
    else; a 404 to ``GET /lookup?email=b`` is ``b`` not found): each response's calls where more than its
    distinct requests (``CALLS``), what ``check`` and ``diff`` weigh to tell the route gone
    (drift/evidence.py ``route_gone``)."""
    for status, state in states.items():
        out = responses[str(status)]
        if isinstance(out.get(SEEN), int) and state.count > out[SEEN]:
            out[CALLS] = state.count


def _selectors_unlisted(params: list[dict[str, Any]], responses: dict[str, Any]) -> None:
    """A query parameter whose values are each the name of a field the operation answers selects or orders
    fields (Strapi's ``fields[0]=title``, ``sort=title``, ``populate=author``; JSON:API's ``fields``, OData's
    ``$select``): tomorrow's client asks for another of them, so the names one sample asked are no enum.
    The answers are read only where a query parameter has an enum (few)."""
    enums = [schema for p in params if p["in"] == "query" for schema in _schema_dicts(p["schema"])
             if isinstance(schema.get("enum"), list)]
    if not enums:
        return
    names = {name for schema in _schema_dicts([r for status, r in responses.items() if status.startswith("2")])
             if isinstance(schema.get("properties"), dict) for name in schema["properties"]}
    for schema in enums:
        if all(isinstance(value, str) and value in names for value in schema["enum"]):
            del schema["enum"]


def references_unlisted(paths: dict[str, dict[str, Any]], builder: SpecBuilder) -> None:
    """A query parameter named after a collection the API lists (``receiver`` beside ``GET
    /api/v2/receivers``), all of whose enum's values are names of that collection's items (ITEM_NAMES:
    ``[{"name": "team-payments"}, ...]``), refers to those items: the next sample's configuration, or the
    next user's, has other ones, so the names one sample asked for are no enum (Alertmanager's
    ``receiver``). Read only where a query parameter has an enum and a collection of its name answered
    GET (few)."""
    enums = [(p["name"], schema) for item in paths.values() for op in item.values() if isinstance(op, dict)
             for p in op.get("parameters", ()) if p.get("in") == "query"
             for schema in _schema_dicts(p["schema"]) if isinstance(schema.get("enum"), list)]
    if not enums:
        return
    collections: dict[str, list[str]] = defaultdict(list)
    for key, method in builder.operations:
        if method == "GET":
            collections[singular(key.rstrip("/").rpartition("/")[2])].append(key)
    names = listed(builder)
    for name, schema in enums:
        parts = words(name)
        keys = collections.get(singular(parts[-1]), []) if parts else []
        held = {unquote(n) for n in names(sorted(keys))} if keys else set()
        if held and all(isinstance(v, str) and v in held for v in schema["enum"]):
            del schema["enum"]


def _schema_dicts(node: Any) -> Iterator[dict[str, Any]]:
    """Every object under ``node`` reached through schema keywords, never inside a value (an enum's list,
    an example, a default: _DATA_KEYS)."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(v for k, v in item.items() if isinstance(v, (dict, list)) and k not in _DATA_KEYS)
        elif isinstance(item, list):
            stack.extend(v for v in item if isinstance(v, (dict, list)))


def observed(calls: int, statuses: list[int]) -> str:
    """An operation's description: what the traffic showed of it (``Observed 12 times; responses 200, 404.``)."""
    times = "once" if calls == 1 else f"{calls:,} times"
    if not statuses:
        return f"Observed {times}."
    return f"Observed {times}; response{'s' if len(statuses) != 1 else ''} {', '.join(map(str, statuses))}."


def _note_more(out: dict[str, Any], what: str, params: ParamMap) -> None:
    # the rarest names beyond rules.MAX_PARAMS were left out (builder._make_room). That some were is
    # true of the records whatever their order (more distinct names than the cap); how many of their
    # calls were counted out is not (a name dropped and seen again restarts its count), so the spec of
    # a `-j 2` build or a group's partitions would differ from a `-j 1` build's by that count
    if params.dropped:
        out[f"x-specbuild-more-{what}"] = True


def _param_schema(state: ParamState, opts: RenderOptions, name: str | None = None) -> dict[str, Any]:
    schema = state.values.to_schema(openapi=opts.openapi, enums=opts.enums, name=name)
    if state.repeated:
        return {"type": "array", "items": schema}
    return schema


def _required(state: ParamState, calls: int) -> bool:
    """A header the traffic shows the server needs: in every call, of enough calls to say so (two
    calls that both sent it promise nothing), with more than one value: one value in every call is what
    the client library sends by default (``format=json``), which says nothing of what the server needs.

    A query parameter is never required (:func:`_parameters`): ``required`` promises that a call without
    it fails, and traffic cannot show that while keeping the spec true to it. A client that always sends
    ``page_size`` looks like a server that needs it. A call without it that was refused is evidence only
    of a refusal (datasette's 400s to bad SQL lacked ``_shape``, which every other call sent), and
    documenting it required would make the spec reject those very calls (self-consistency)."""
    vals = state.values.vals
    if vals is not None and len(vals) == 1:
        return False
    return calls >= REQUIRED_MIN_OBJECTS and state.present >= calls


def _parameters(where: str, params: ParamMap, calls: int,
                opts: RenderOptions) -> list[dict[str, Any]]:
    groups = deep_groups(params) if where == "query" else {}
    out = [_deep_parameter(base, group, calls, opts) for base, group in groups.items()]
    grouped = {name for group in groups.values() for name in group}
    for name in params:
        if name in grouped:
            continue
        state = params[name]
        param: dict[str, Any] = {"name": name, "in": where,
                                 "required": where != "query" and _required(state, calls),
                                 "schema": _param_schema(state, opts, name)}
        if state.repeated and where == "query":
            param["style"] = "form"
            param["explode"] = True
        out.append(param)
    return sorted(out, key=lambda param: param["name"])


def _deep_parameter(base: str, group: ParamMap, calls: int, opts: RenderOptions) -> dict[str, Any]:
    """Bracketed query names (``filters[title][$eq]``, ``sort[0]``) as the one parameter they spell:
    optional, as every query parameter (:func:`_required`), and so are its fields."""
    return {"name": base, "in": "query", "required": False,
            "schema": deep_schema(group, calls, opts.openapi, opts.enums), **DEEP_OBJECT}


def _request_body(bodies: Bodies, calls: int, opts: RenderOptions, witnesses: int | None = None) -> dict[str, Any]:
    """``witnesses``: the distinct requests that sent a body (:func:`_requests_sent`). Under
    REQUIRED_MIN_WITNESSES the body requires no property: 33 PATCHes that each sent ``{"data": {"done":
    ...}}`` are one client's habit, not the server's need (Kinto's next sample patched other fields), as a
    response's claims rest on the distinct requests behind them (``_cap_seen``)."""
    content = {}
    for media in sorted(bodies.by_media):
        body = bodies.by_media[media]
        content[media] = _media(body, opts, entities=False, files=media == multipart.MEDIA)
        # a media type's bodies are at most as many distinct requests as there were of them
        if witnesses is not None and min(witnesses, body.count) < REQUIRED_MIN_WITNESSES:
            _without(content[media]["schema"], ("required",))
    return {"required": bodies.empty == 0 and bodies.count >= calls, "content": content}


def _requests_sent(op: OperationState) -> int | None:
    """The distinct requests (target and body: learn/witnesses.py) of ``op`` that sent a body, whatever they
    were answered; None when a state saved before they were counted left it unknown."""
    return _distinct_requests(op.responses.values())


def _distinct_requests(responses: Iterable[ResponseState]) -> int | None:
    """The distinct requests (target and body) ``responses`` answered, their sketches merged; those a state
    saved before they were counted left unknown are passed over (None: all of them)."""
    sent = [resp.requests for resp in responses if resp.requests is not None]
    if not sent:
        return None
    union = Witnesses()
    for sketch in sent:
        union.merge(sketch)
    return union.count()


def _media(body: BodyState, opts: RenderOptions, entities: bool, files: bool = False) -> dict[str, Any]:
    """``entities``: False for a request's body (clients choose each call's values: an enum counts
    calls), True for a response's (what a server stored, read again and again: it counts entities).
    ``files``: a multipart/form-data body's (its file parts are files: learn/forms.py)."""
    if body.form is not None:
        schema, encoding = form_media(body.form, body.count, opts.openapi, opts.enums, files)
        out: dict[str, Any] = {"schema": schema}
        if encoding:
            out["encoding"] = encoding
        _note_more(out, "form-fields", body.form)
    else:
        out = {"schema": _body_schema(body, opts, entities)}
    if opts.examples and body.example is not None:
        out["example"] = fit(redact(orjson.loads(body.example)), out["schema"])
    return out


def _response(status: int, resp: Any, opts: RenderOptions) -> dict[str, Any]:
    out: dict[str, Any] = {"description": _reason(status)}
    answered = resp.distinct()
    if answered is not None:  # the distinct requests answered so: a status gone from as many is a change (diff)
        out[SEEN] = answered
    if resp.headers:
        out["headers"] = {name: {"required": state.present >= resp.count,
                                 "schema": _param_schema(state, opts, name)}
                          for name, state in sorted(resp.headers.items())}
    _note_more(out, "headers", resp.headers)
    if resp.bodies.by_media and status not in NO_CONTENT_STATUSES:
        if status >= 400:  # a sample holds the errors its clients provoked, not the API's vocabulary of them
            opts = replace(opts, enums=False)
        out["content"] = {media: _media(resp.bodies.by_media[media], opts, entities=True,
                                        files=media == multipart.MEDIA)
                          for media in sorted(resp.bodies.by_media)}
        for media in out["content"].values():
            _cap_seen(media["schema"], answered)
        if 200 <= status < 300 and serves_files(out["content"], status):
            # each file in its own type: the next sample downloads others (files people upload, ranges of them)
            out["content"]["*/*"] = {"schema": {"type": "string", "format": "binary"}}
        if resp.bodies.empty:  # OpenAPI cannot say a response's body is optional: the extension does
            out[BODY_OPTIONAL] = True
    return out


def infer_statuses(paths: dict[str, dict[str, Any]],
                   operations: Mapping[tuple[Template, str], Answers], opts: RenderOptions) -> None:
    """What the traffic cannot rule out (learn/statuses.py): ``4XX``, the API's client errors, on each
    operation called too few times to say it never gets one (one rendering, a copy per operation: later
    passes edit schemas in place); ``2XX`` on each operation seen only failing."""
    errors = client_errors(operations.values())
    inferred = _client_errors(errors, opts) if errors is not None else None
    media = success_media(operations.values())
    for (template, method), op in operations.items():
        responses = paths[template.path][method.lower()]["responses"]
        if inferred is not None and may_err(op):
            responses[CLIENT_ERRORS] = copy.deepcopy(inferred)
        if only_failed(op):
            responses[SUCCESS] = {"description": "Success: not seen (only errors were), its body unknown",
                                  INFERRED: True}
            if media is not None:
                responses[SUCCESS]["content"] = {media: {"schema": {}}}


def _client_errors(errors: ResponseState, opts: RenderOptions) -> dict[str, Any]:
    """The API's client errors, inferred for an operation (learn/statuses.py): their bodies' schema
    and claims, no headers (each status has its own)."""
    out = _response(400, errors, opts)
    out.pop(SEEN, None)  # the API's errors, counted over its operations: none of this one's answers
    out.pop("headers", None)
    out.pop("x-specbuild-more-headers", None)
    out["description"] = "Client error: any of the API's (too few calls of this operation to rule one out)"
    out[INFERRED] = True
    return out


def _cap_seen(schema: dict[str, Any], witnesses: int | None) -> None:
    """A body's claims rest on at most as many witnesses as distinct requests (learn/witnesses.py):
    the root's count says so, and every count below is read capped by it. Below REQUIRED_MIN_WITNESSES
    the body promises no ``required`` at all, below ENUM_MIN_WITNESSES no ``enum`` (learn/rules.py says
    why)."""
    if witnesses is not None and isinstance(schema.get(SEEN), int):
        schema[SEEN] = min(schema[SEEN], witnesses)
    if witnesses is not None and witnesses < REQUIRED_MIN_WITNESSES:
        # one walk for both (the walk reads neither keyword)
        _without(schema, ("required", "enum") if witnesses < ENUM_MIN_WITNESSES else ("required",))
    elif witnesses is not None and witnesses < ENUM_MIN_WITNESSES:
        _without(schema, ("enum",))


def _without(schema: Any, keywords: tuple[str, ...]) -> None:
    """No ``keywords`` anywhere in a body's schema: too few distinct requests to promise any. Only
    schemas are walked (a property may be called ``required`` or ``enum``)."""
    if not isinstance(schema, dict):
        return
    for keyword in keywords:
        schema.pop(keyword, None)
    for sub in (schema.get("properties") or {}).values():
        _without(sub, keywords)
    for key in ("items", "additionalProperties"):
        _without(schema.get(key), keywords)
    for sub in schema.get("anyOf") or ():
        _without(sub, keywords)


def _body_schema(body: BodyState, opts: RenderOptions, entities: bool) -> dict[str, Any]:
    if body.shape is not None:
        # counts always: nullable_by_evidence weighs them; render() drops them after, without --evidence
        return body.shape.to_schema(openapi=opts.openapi, enums=opts.enums, evidence=True,
                                    path_values=opts.path_values, entities=entities,
                                    fields=None if opts.fields is None else opts.fields.of(opts.resource),
                                    key_values=opts.key_values) \
            if body.shape.count else {}
    if body.kind == "text":
        return {"type": "string"}
    return {"type": "string", "format": "binary"}


_ANY_VALUE: Final = "any value"  # the values of an open object (``additionalProperties: true``)
OPEN_MIN_SEEN: Final = 20  # objects an open object rests on before its thin copies open too...
OPEN_COPY_MAX_SEEN: Final = 2  # ...copies seen this often at most
_SCALARS: Final = frozenset({"string", "integer", "number", "boolean"})


def _maps_found(found: list[Place]) -> tuple[dict[tuple[str | None, str], set[Any]], dict[tuple[str | None, str], int]]:
    """The value kinds of the maps at each (scope, name) and (None, name): the name anywhere; and per
    (scope, name), the most witnesses an open object there rests on, where no record there rests on as
    many (Strapi's events: the updates' ``data``, 1-3 fields each, is open; the creates' is a record of
    more bodies, and the events they answered, at one target, are no thin copy of the updates')."""
    maps: dict[tuple[str | None, str], set[Any]] = {}
    opened: dict[tuple[str | None, str], int] = {}
    recorded: dict[tuple[str | None, str], int] = {}
    for scope, name, schema, _, seen in found:
        extra = schema.get("additionalProperties")
        if "properties" in schema:
            recorded[(scope, name)] = max(recorded.get((scope, name), 0), seen or 0)
            continue
        kind = _ANY_VALUE if extra is True else value_type(extra) if isinstance(extra, dict) else None
        if kind is _ANY_VALUE:
            opened[(scope, name)] = max(opened.get((scope, name), 0), seen or 0)
        if kind is not None:
            for where in (scope, None):
                maps.setdefault((where, name), set()).add(kind)
    return maps, {where: n for where, n in opened.items() if n > recorded.get(where, 0)}


def _map_value(kind: Any, props: dict[str, Any], openapi: str) -> dict[str, Any] | None:
    """The ``additionalProperties`` of a map of ``kind`` that a thin object's ``props`` become, when every
    property they list has that kind (or was only ever null); None when one does not."""
    only_null = [p for p in props.values() if p in ({"nullable": True}, {}, {"type": "null"})]
    typed = [p for p in props.values() if p not in only_null]
    if not typed or any(not isinstance(p, dict) or value_type(p) != kind or "properties" in p for p in typed):
        return None
    nullable = bool(only_null) or any(is_nullable(p, openapi) for p in typed)
    value: dict[str, Any] = {"type": kind if isinstance(kind, str) else list(kind)}
    if nullable and openapi == "3.0":
        value["nullable"] = True
    elif nullable or not isinstance(kind, str):
        value["type"] = sorted({*([kind] if isinstance(kind, str) else kind), *(["null"] if nullable else [])})
    return value


def _opened_by_more(schema: dict[str, Any], seen: int | None, opened: int) -> bool:
    """Whether a map of one scalar type is the open object of its scope seen on fewer objects: Strapi's
    ``specs``, strings, numbers and flags in 93 creates, strings only in 7 updates: what its values may be
    is known from the many (a map of records keeps its items). Only a map too thin to say so itself
    (fewer than REQUIRED_MIN_OBJECTS): a scope is a parent's name, not one resource, and pods' 24
    ``metadata.labels`` of strings are no widgets' mixed ones."""
    extra = schema.get("additionalProperties")
    if opened < OPEN_MIN_SEEN or seen is None or seen >= REQUIRED_MIN_OBJECTS or "properties" in schema:
        return False
    return isinstance(extra, dict) and value_type(extra) in _SCALARS and "anyOf" not in extra


def _sent(paths: dict[str, Any]) -> set[int]:
    """The ids of the maps in request bodies: what a few calls sent is what their clients chose (Strapi's
    updates' strings), where a response's thin map is what the server stored (Kubernetes' ``matchLabels``,
    strings, beside a selector opened elsewhere, stays strings)."""
    out: set[int] = set()
    stack = list(request_schemas(paths))
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("additionalProperties"), dict):
                out.add(id(node))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return out


def share_maps(paths: dict[str, Any], openapi: str) -> dict[str, list[Place]]:
    """A property that is a map (data as keys) somewhere is a map at its other places in the same scope
    (under the same parent name: :func:`nullability.places`), and wherever its name is one whose keys
    users choose (``labels``, ``tags``, ``job_variables``: :func:`schema.user_named`).

    With few samples, ``labels: {team, env}`` looks like an object with two properties; where the
    same name was seen with enough data to be recognised as a map of strings, the thin copies become
    that map too, provided every property they list has the map's value type. Widening only. A name
    alone is no such evidence: Azure's ``properties`` is a map of a filter's user properties and, in
    every resource, that resource's fields (a rule set's ``ipRules`` seen once as a string is no map).

    Returns the places of ``paths`` as it leaves them (:func:`nullability.places_by_path`): a map made
    of a thin object takes places away (its properties), so the path items it changed are walked again.
    """
    by_path = places_by_path(paths)  # the same before the first change as after the reading
    found = [place for places in by_path.values() for place in places]
    maps, opened = _maps_found(found)
    if not maps:
        return by_path
    changed: set[int] = set()  # the schemas made maps, by id
    sent = _sent(paths)
    for scope, name, schema, _, seen in found:
        props = schema.get("properties")
        if not isinstance(props, dict) or not props:  # no thin object (most places): only a sent map opens
            if id(schema) in sent and _opened_by_more(schema, seen, opened.get((scope, name), 0)):
                schema["additionalProperties"] = True
                changed.add(id(schema))
            continue
        # (a schema with properties is no map _opened_by_more opens)
        kinds = maps.get((scope, name)) or (maps.get((None, name)) if user_named(name) else None)
        if not kinds or len(kinds) != 1:
            continue
        (kind,) = kinds
        value: Any
        if kind is _ANY_VALUE:
            # a copy seen once or twice beside an open object of OPEN_MIN_SEEN in its scope (Directus'
            # ``specs``: each product's own keys, strings, numbers and flags), not a name alone: a mock
            # server's filler opens a few objects too, and GitHub's thin copies there are records
            thin = seen is not None and seen <= OPEN_COPY_MAX_SEEN and opened.get((scope, name), 0) >= OPEN_MIN_SEEN
            value = True if thin and all(isinstance(p, dict) and "properties" not in p for p in props.values()) \
                else None
        else:
            value = _map_value(kind, props, openapi)
        if value is None:
            continue
        for key in ("properties", "required"):
            schema.pop(key, None)
        schema["additionalProperties"] = value
        changed.add(id(schema))
    return places_again(paths, by_path, changed) if changed else by_path


ONLY_NULL: Final = {"nullable": True}
_SUBSCHEMA: Final = ("items", "additionalProperties", "not")
_BRANCHES: Final = ("anyOf", "oneOf", "allOf")
_SCHEMAS_BY_NAME: Final = frozenset({"properties", *_BRANCHES})  # schemas under names (or positions)
_DATA_HERE: Final = frozenset({"example", "examples", "enum", "default"})  # values, not schemas


def any_for_only_null(node: Any, schema: bool = False) -> None:
    """A 3.0 position only ever seen null becomes ``{}`` (any value), once the sharing passes have read it.

    3.0's ``nullable`` means something only beside a ``type`` (Redocly and Spectral refuse it alone), and
    3.0 has no null type; ``{}`` accepts null in both 3.0 and 3.1, which is what the traffic showed.
    """
    if isinstance(node, list):
        for item in node:
            if isinstance(item, (dict, list)):  # a scalar holds no schema (most items: names, values)
                any_for_only_null(item, schema)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key in _DATA_HERE:
            continue
        if (key == "schema" and not schema) or (schema and key in _SUBSCHEMA):
            if value == ONLY_NULL:
                node[key] = {}
            any_for_only_null(node[key], True)
        elif schema and key in _SCHEMAS_BY_NAME:
            subs = value if isinstance(value, dict) else dict(enumerate(value)) if isinstance(value, list) else {}
            for name, sub in subs.items():
                if sub == ONLY_NULL:
                    value[name] = {}
                any_for_only_null(value[name], True)
        elif not schema and isinstance(value, (dict, list)):
            any_for_only_null(value, False)


def tidy(node: Any, values: frozenset[str], schema: bool = False) -> None:
    """What the sharing passes leave, tidied: :func:`any_for_only_null` and :func:`no_enum_of_path_values`
    in one walk (each walked every dict of the paths, ~0.02 s each on the mix's 100k); where one of them
    does not look, the other walks alone. The same as the two in turn: a parent asks whether a child is
    only null before the walk drops the child's enum, and a schema with an enum has a type, which neither
    takes away (no enum dropped makes a schema only null)."""
    if isinstance(node, list):
        for item in node:
            if isinstance(item, (dict, list)):
                tidy(item, values, schema)
        return
    if not isinstance(node, dict):
        return
    if values and "enum" in node:  # no call for a dict without one (most: 22k calls on the mix's 100k)
        _drop_held_enum(node, values)
    for key, value in node.items():
        if key in _DATA_HERE:  # neither looks there
            continue
        if (key == "schema" and not schema) or (schema and key in _SUBSCHEMA):
            if value == ONLY_NULL:
                node[key] = {}
            tidy(node[key], values, True)
        elif schema and key in _SCHEMAS_BY_NAME:
            subs = value if isinstance(value, dict) else dict(enumerate(value)) if isinstance(value, list) else {}
            for name, sub in subs.items():
                if sub == ONLY_NULL:
                    value[name] = sub = {}
                if name in _DATA_KEYS:  # a property called ``enum`` or ``default``: data to the second
                    any_for_only_null(sub, True)
                elif isinstance(sub, dict) and sub.keys() <= SCALAR_KEYS:  # most: only an enum to look at
                    if values and "enum" in sub:
                        _drop_held_enum(sub, values)
                else:
                    tidy(sub, values, True)
        elif not schema and isinstance(value, (dict, list)):
            if key in _DATA_KEYS:  # ``const``
                any_for_only_null(value, False)
            else:
                tidy(value, values, False)
        elif schema and isinstance(value, (dict, list)) and key not in _DATA_KEYS:
            no_enum_of_path_values(value, values)  # no schema to the first (``required``)


def path_values(templates: Mapping[str, Template]) -> frozenset[str]:
    """The words the templates made values of a path parameter (``alice`` of ``/alice/dev`` in ``/{name}/{name2}``)."""
    out: set[str] = set()
    for key, template in templates.items():
        labels = template.aligned(split_path(key))
        for label, seg in zip(labels or (), split_path(template.path), strict=True):
            # a file path's folders and file (``docs/setup.md``), each a value
            for value in label.split("/"):
                if seg.startswith("{") and not value.startswith("{"):
                    out.add(unquote(value))
    return frozenset(out)


def key_values(builder: SpecBuilder, held: frozenset[str] | None = None) -> KeyValues:
    """The strings the API's bodies, requests and responses, hold as who or what (:func:`who_strings`;
    ``held``: read already, in another process), and, when asked, those of them its bodies hold as a
    record's fields (:func:`field_names`): keys among the first but not the second are data
    (schema.Shape.to_schema)."""
    out = who_strings(builder) if held is None else held
    return KeyValues(out, functools.partial(field_names, builder)) if out else NO_KEY_VALUES


def who_strings(builder: SpecBuilder) -> frozenset[str]:
    """The strings the API's bodies hold as who or what (schema.names_who), at positions holding two
    distinct or more (rules.KEY_VALUE_EXTRA says why). Read from each operation key's fold as it is, not
    from the templates' merged states (which render merges later, some in another process): what each
    key's positions hold, the same however the traffic was split into shards (the mix's 100k: ~0.12 s,
    every body's whole fold walked, which a large render does beside its templates)."""
    who = native.words(names_who)
    out: set[str] = set()
    for body in _json_bodies(builder):
        native_only = body.natively_only()
        if native_only is not None:
            out.update(native_only.who_values(who))
        else:
            out.update(who_values(_settled(body), names_who))
    return frozenset(out)


def field_names(builder: SpecBuilder, values: frozenset[str]) -> set[str]:
    """Of ``values``, those the API's bodies hold as a record's field: keys at an object position where
    they are at most half of its keys (schema.fields_among). A form's ``hidden_fields[].name`` lists
    ``username`` and ``password``, which a remote's record has as fields (and a partial update sends
    alone); keys of which most are values (a map's) say nothing."""
    words = native.words(None, values)
    out: set[str] = set()
    for body in _json_bodies(builder):
        native_only = body.natively_only()
        if native_only is not None:
            out.update(native_only.fields_among(words))
        else:
            out.update(fields_among(_settled(body), values))
    return out


def _json_bodies(builder: SpecBuilder) -> Iterator[Any]:
    """The JSON bodies' folds of every operation key, requests' and responses' (their ``shape`` set)."""
    for op in builder.operations.values():
        for bodies in (op.request, *(resp.bodies for resp in op.responses.values())):
            for body in bodies.by_media.values():
                if body.shape is not None:
                    yield body


def _settled(body: BodyState) -> Shape:
    """A body's fold in one shape: merged (a copy) where bodies were folded natively too, so each
    position holds what one fold of all of them holds (more than ENUM_MAX distinct values: none)."""
    shape = body.settled_shape() if body.pending is not None and body.pending.count else body.shape
    assert shape is not None, "only JSON bodies"
    return shape


# Where a schema's value is data, not a schema: an enum's list is never a place to look for one.
_DATA_KEYS: Final = frozenset({"example", "examples", "default", "enum", "const"})


def no_enum_of_path_values(node: Any, values: frozenset[str]) -> None:
    """No ``enum`` lists two values or more that the paths name as values of a parameter: ``acl: [alice]``
    beside ``/alice/dev`` lists who someone is, and the next sample brings other people (an identity
    guard by evidence, where the property's name says nothing: ``acl_upload``, ``bases``)."""
    if not values:
        return
    stack = [node]
    while stack:  # only dicts and lists go on it (most values are strings and numbers)
        item = stack.pop()
        if isinstance(item, list):
            stack.extend(v for v in item if isinstance(v, (dict, list)))
        elif isinstance(item, dict):
            _drop_held_enum(item, values)
            for k, v in item.items():  # a loop, not a generator: this walk visits every dict of the paths
                if isinstance(v, (dict, list)) and k not in _DATA_KEYS:
                    stack.append(v)


def _drop_held_enum(schema: dict[str, Any], values: frozenset[str]) -> None:
    enum = schema.get("enum")
    if isinstance(enum, list) and sum(isinstance(v, str) and _held(v, values) for v in enum) >= 2:
        del schema["enum"]


def _held(value: str, values: frozenset[str]) -> bool:
    """A value the paths hold: one parameter's (``alice``), or a run of them joined as the path joins
    them (devpi's ``bases: [alice/dev]`` beside ``/alice/dev``: an index named by user and name)."""
    if value in values:
        return True
    parts = value.strip("/").split("/")
    return len(parts) > 1 and all(part in values for part in parts)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return {1: "Informational", 2: "Success", 3: "Redirection", 4: "Client error",
                5: "Server error"}.get(status // 100, "Response")


def _security(seen: Counter[str], schemes: dict[str, dict[str, Any]],
              names: Mapping[str, str]) -> list[dict[str, list[str]]]:
    keys = sorted(k for k in seen if k and k != REFUSED_BARE)
    if not keys:
        return []
    out: list[dict[str, list[str]]] = []
    for key in keys:
        requirement: dict[str, list[str]] = {}
        for part in key.split("+"):
            name = names[part]  # every part is named up front (_scheme_names), whichever process renders
            schemes[name] = _scheme(part)[1]
            requirement[name] = []
        out.append(requirement)
    if seen.get("", 0):
        out.append({})  # some calls carried no credentials: security is optional here
    return out


def _scheme_names(builder: SpecBuilder) -> dict[str, str]:
    """The scheme name of each credential the operations were called with (a security key's part:
    ``apiKey:header:x-token``), numbered where another's spells alike, in the parts' sorted order: the
    processes that render operations (``elsewhere``) each keep their own schemes, merged after, and
    numbering as each met them named ``x-token`` and ``x_token`` alike, the other's overwriting."""
    parts = sorted({part for op in builder.operations.values() for key in op.security
                    if key and key != REFUSED_BARE for part in key.split("+")})
    names: dict[str, str] = {}
    taken: dict[str, dict[str, Any]] = {}
    for part in parts:
        name, scheme = _scheme(part)
        names[part] = name = _unclashed(name, scheme, taken)
        taken[name] = scheme
    return names


def _unclashed(name: str, scheme: dict[str, Any], schemes: dict[str, dict[str, Any]]) -> str:
    """``name``, numbered when another scheme spells it already (``x-token`` and ``x_token``: one camel
    case); the first one met keeps it."""
    candidate, n = name, 1
    while schemes.get(candidate, scheme) != scheme:
        n += 1
        candidate = f"{name}{n}"
    return candidate


def _scheme(key: str) -> tuple[str, dict[str, Any]]:
    kind, _, rest = key.partition(":")
    if kind == "http":
        return f"{rest}Auth", {"type": "http", "scheme": rest}
    where, _, name = rest.partition(":")
    words = [w for w in re.split(r"[^A-Za-z0-9]+", name) if w]
    camel = "".join(w[:1].upper() + w[1:].lower() for w in words)
    return f"apiKey{where.capitalize()}{camel}", {"type": "apiKey", "in": where, "name": name}


def _hosts(builder: SpecBuilder) -> list[tuple[tuple[str, str], int]]:
    """The (scheme, host) pairs the records named, with their counts, that a URL can hold (http.url_host):
    a record's impossible host (``:99999``) still teaches its exchange, never a server a client calls."""
    return [(server, n) for server, n in builder.servers.items() if url_host(server[1])]


def _servers(builder: SpecBuilder, opts: RenderOptions, prefix: str) -> list[dict[str, str]]:
    if opts.server_url:
        return [{"url": opts.server_url.rstrip("/") + prefix}]
    ranked = sorted(_hosts(builder), key=lambda kv: (-kv[1], kv[0]))[: opts.max_servers]
    if not ranked and prefix:  # no host was recorded: the prefix moved out of the paths is kept, relative
        return [{"url": prefix}]
    return [{"url": f"{scheme}://{host}{prefix}"} for (scheme, host), _ in ranked]


def _base_path(paths: list[str], wanted: str | None) -> str:
    if not wanted or not paths:
        return ""
    if wanted != "auto":
        prefix = "/" + wanted.strip("/")
        if all(p == prefix or p.startswith(prefix + "/") for p in paths):
            return prefix
        return ""
    split = [p.strip("/").split("/") for p in paths]
    common: list[str] = []
    for parts in zip(*split, strict=False):
        if len(set(parts)) != 1 or parts[0].startswith("{"):
            break
        common.append(parts[0])
    # keep at least one segment in every path
    while common and any(len(s) <= len(common) for s in split):
        common.pop()
    return "/" + "/".join(common) if common else ""
