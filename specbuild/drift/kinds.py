"""Every kind of finding (traffic against a spec) and of change (spec against spec), in one registry.

Each kind is one entry: its name, its severity for an API client, what it means, and which check
reports it. The reports, the exit codes and the tables below are all read from here; nothing copies
it. Severities, as an API client and a reviewer read them:

- **breaking**: a client built from the spec fails on what the API did or now does.
- **warning**: the API and the spec disagree without breaking a client that follows the spec.
- **info**: the API does or accepts more than the spec says (additive): document it when convenient.

A response status the committed spec does not document has one severity by its class, whether the
traffic showed it (``check``: ``undocumented-*``) or a newer spec has it (``diff`` and ``build --check``:
``response-*-added``); which command saw it does not change what it means to a client:

- **5xx: breaking**. The API fails where its contract did not say it could (a new 500): a CI job
  should stop on it by default.
- **502, 503, 504: warning**. The server, or a gateway before it, could not answer then (RFC 9110:
  overloaded, down for maintenance, an upstream slow or gone) and says so; a client retries. It is no
  change of the contract: a database busy under load (Prefect on SQLite) answers a retried 503 on a
  few operations, different ones in each sample of one unchanged API. Shown, and ``--fail-on warning``
  fails on it, as an outage should fail a stricter gate.
- **4xx: warning**. Another error; a client already handles an unknown 4xx as an error.
- **1xx-3xx: warning**. Another success or redirect: whether a client breaks on it depends on the client
  (most generated clients accept any 2xx and follow redirects), so it is shown, and fails
  ``--fail-on warning``.
- **default** added (a catch-all response): info: the spec now says more about what it already allowed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Protocol

SEVERITIES: Final = ("info", "warning", "breaking")
RANK: Final = {s: i for i, s in enumerate(SEVERITIES)}
FAIL_ON: Final = (*SEVERITIES, "never")


@dataclass(frozen=True, slots=True)
class Kind:
    name: str
    severity: str
    meaning: str


# the one table behind the rule above: a status the committed spec lacks, by its class
STATUS_SEVERITY: Final = {"status": "warning", "client-error": "warning", "unavailable": "warning",
                          "server-error": "breaking"}
UNAVAILABLE: Final = frozenset({"502", "503", "504"})  # the server could not answer then: not the contract


def status_class(code: str) -> str:
    """``server-error`` (500, 5XX), ``unavailable`` (502, 503, 504), ``client-error`` (404, 4XX) or
    ``status`` (any other status)."""
    if code in UNAVAILABLE:
        return "unavailable"
    return {"4": "client-error", "5": "server-error"}.get(code[:1], "status")


def _registry(*rows: tuple[str, str, str]) -> dict[str, Kind]:
    """The kinds of one check (which registry holds a kind says which check reports it)."""
    kinds = {name: Kind(name, severity, meaning) for name, severity, meaning in rows}
    assert len(kinds) == len(rows) and all(k.severity in RANK for k in kinds.values()), rows[0]
    return kinds


# What ``specbuild check`` finds in traffic. "And accepted": judged only when the server accepted the
# request (below 400) or failed on it (5xx); a 4xx to a request the spec forbids is the API agreeing.
TRAFFIC_KINDS: Final = _registry(
    ("undocumented-path", "warning", "no path of the spec matches the request path"),
    ("undocumented-method", "warning", "the path is documented, this method is not"),
    ("undocumented-status", STATUS_SEVERITY["status"], "a 1xx-3xx status the operation does not document"),
    ("undocumented-server-error", STATUS_SEVERITY["server-error"], "a 5xx the operation does not document (a new "
     "500)"),
    ("undocumented-unavailable", STATUS_SEVERITY["unavailable"], "a 502, 503 or 504 the operation does not "
     "document (the server could not answer then)"),
    ("undocumented-client-error", STATUS_SEVERITY["client-error"], "a 4xx the operation does not document"),
    ("undocumented-query-parameter", "info", "a query parameter the operation does not declare"),
    ("undocumented-header", "info", "a request header with API meaning that is not declared"),
    ("missing-required-parameter", "warning", "a required query parameter or header absent, accepted"),
    ("parameter-violation", "warning", "a path/query/header value outside its schema, and accepted"),
    ("request-body-undocumented", "info", "a request body or media type the operation does not declare"),
    ("request-body-missing", "warning", "no body where the spec requires one, and accepted"),
    ("request-type-mismatch", "warning", "a request body value of the wrong type, and accepted"),
    ("request-missing-required", "warning", "a required request body property was absent, and accepted"),
    ("request-enum-violation", "warning", "a request body value outside its enum, and accepted"),
    ("request-format-violation", "warning", "a request body string not in its format, and accepted"),
    ("request-schema-violation", "warning", "another request body rule broken (pattern, maximum...)"),
    ("request-undocumented-property", "info", "a request body property the schema does not name"),
    ("response-media-type", "breaking", "a response body of a media type the response does not document"),
    ("response-file-media-type", "warning", "a new media type where the response serves files (several "
     "types documented, one not JSON, or a 206 not in JSON: a range of a file): the file's own type"),
    ("response-error-media-type", "warning", "an error (4xx, 5xx) in a media type its status does not "
     "document (a framework's or a proxy's own page: Express's HTML 404 for a route not mounted); the status "
     "still says what happened"),
    ("response-inferred-media-type", "info", "a response in a media type the learner's inferred response does "
     "not list: a client error beside its 4XX (guessed from the API's other errors; a proxy or rate limiter "
     "answers in its own), or a success beside the 2XX of an operation seen only failing (the API's usual type)"),
    ("response-body-missing", "breaking", "an empty response where the spec documents a body"),
    ("response-status-gone", "breaking", "no success to any request where a learned spec's counts show the "
     "operation succeeding, beyond chance (a route removed: every call answered 404)"),
    ("response-property-gone", "breaking", "a response property a learned spec's counts show in every object "
     "(claimed required or not: too few requests to claim it) absent from every object of the traffic, beyond "
     "chance"),
    ("response-body-undocumented", "info", "a response body where the spec documents none"),
    ("response-type-mismatch", "breaking", "a response body value of the wrong type (null included)"),
    ("response-missing-required", "breaking", "a required response property was absent"),
    ("response-enum-violation", "breaking", "a response value outside its enum"),
    ("response-format-violation", "breaking", "a response string not in its format (date-time, uuid...)"),
    ("response-schema-violation", "breaking", "another response rule broken (pattern, maximum...)"),
    ("response-undocumented-property", "info", "a response property the schema does not name (additive)"),
    ("response-header-missing", "warning", "a response header the spec marks required was absent"),
    # A learned claim broken no more often than the evidence it was learned from allows: the spec knows
    # more now, the API did not change (drift/evidence.py). Re-learn, or merge the traffic with --spec.
    ("request-required-refined", "info", "a learned required request property absent, within its evidence"),
    ("request-type-refined", "info", "a request value of another type than learned, within its evidence"),
    ("request-enum-refined", "info", "a request value outside a learned enum, within its evidence"),
    ("request-format-refined", "info", "a request string outside a learned format, within its evidence"),
    ("response-required-refined", "info", "a learned required response property absent, within its evidence"),
    ("response-type-refined", "info", "a response value of another type than learned, within its evidence"),
    ("response-enum-refined", "info", "a response value outside a learned enum, within its evidence"),
    ("response-format-refined", "info", "a response string outside a learned format, within its evidence"),
    ("response-media-type-refined", "info", "a response body of a media type a learned response does not "
     "document, within its evidence (its distinct requests)"),
    ("response-body-optional-refined", "info", "an empty response where a learned response always had a body, "
     "within its evidence (its distinct requests)"),
)

# What ``specbuild diff`` finds between two specs. Direction decides what breaks a client: what it
# sends breaks it when the API accepts less; what it receives, when the API returns more or other.
CHANGE_KINDS: Final = _registry(
    ("operation-removed", "breaking", "an operation (method + path) is gone"),
    ("operation-added", "info", "a new operation"),
    ("operation-deprecated", "warning", "the operation is now deprecated"),
    ("path-now-with-trailing-slash", "info",
     "the operation's path is now written with its trailing slash (/x/), the form the server serves"),
    ("path-no-longer-with-trailing-slash", "info",
     "the operation's path is now written without a trailing slash (/x), the form the server serves"),
    ("header-now-security-scheme", "info",
     "a credential header once documented as a parameter is now the API key scheme it carries (the same requests)"),
    ("header-no-longer-security-scheme", "info",
     "a credential header documented as an API key scheme is now documented as a parameter (the same requests)"),
    ("path-parameter-now-spans", "info",
     "a path parameter now takes one or more segments, / included (x-multiSegment: a file path with folders)"),
    ("path-parameter-no-longer-spans", "breaking",
     "a path parameter that took a file path with folders (x-multiSegment) now takes one segment: calls "
     "with folders match no operation"),
    ("parameter-removed", "warning", "a parameter is gone (clients that send it are ignored)"),
    ("parameter-added", "info", "a new optional parameter"),
    ("required-parameter-added", "breaking", "a new required parameter"),
    ("parameter-now-required", "breaking", "an optional parameter became required"),
    ("parameter-now-optional", "info", "a required parameter became optional"),
    ("parameter-now-repeated", "info", "a query parameter now takes repeated keys (?id=a&id=b), one value as before"),
    ("parameter-no-longer-repeated", "warning", "a query parameter no longer takes repeated keys"),
    ("parameter-now-deep-object", "info",
     "bracketed query parameters (filter[age][gte]) are now one deepObject parameter (filter), the same names"),
    ("parameter-no-longer-deep-object", "info",
     "a deepObject query parameter (filter) is now its bracketed names (filter[age][gte]), the same names"),
    ("request-body-added", "info", "a new optional request body"),
    ("request-body-now-required", "breaking", "the request body is now required (or was added required)"),
    ("request-body-now-optional", "info", "the request body is no longer required"),
    ("request-body-removed", "warning", "the operation no longer takes a body"),
    ("request-media-type-added", "info", "the request body accepts a new media type"),
    ("request-body-now-parts", "info",
     "a multipart body once documented as one binary string is now documented as its parts (the same bytes)"),
    ("request-body-no-longer-parts", "info",
     "a multipart body documented as its parts is now documented as one binary string (the same bytes)"),
    ("request-media-type-removed", "breaking", "a request media type is no longer accepted"),
    ("request-property-added", "info", "a new optional request property"),
    ("request-required-property-added", "breaking", "a new required request property"),
    ("request-property-removed", "warning", "a request property is gone (clients that send it are ignored)"),
    ("request-property-now-required", "breaking", "an optional request property became required"),
    ("request-property-now-optional", "info", "a required request property became optional"),
    ("request-type-narrowed", "breaking", "a request value accepts less (type, format, null)"),
    ("request-type-widened", "info", "a request value accepts more"),
    ("request-type-changed", "breaking", "a request value's type changed"),
    ("request-enum-value-removed", "breaking", "a request enum lost a value"),
    ("request-enum-value-added", "info", "a request enum gained a value"),
    ("request-constraint-tightened", "breaking", "a request limit is stricter (maxLength, minimum, pattern...)"),
    ("request-constraint-loosened", "info", "a request limit is looser"),
    ("request-object-now-map", "info", "a request object's named properties are now a map's free keys"),
    ("request-map-now-object", "breaking", "a request map's free keys are now named properties"),
    ("request-object-now-closed", "breaking", "a request object now refuses keys beyond its named properties "
     "(additionalProperties: false)"),
    ("request-object-now-open", "info", "a request object takes keys beyond its named properties now"),
    ("response-status-added", STATUS_SEVERITY["status"], "a new 1xx-3xx response status"),
    ("response-client-error-added", STATUS_SEVERITY["client-error"], "a new 4xx response status"),
    ("response-server-error-added", STATUS_SEVERITY["server-error"], "a new 5xx response status (a new 500)"),
    ("response-unavailable-added", STATUS_SEVERITY["unavailable"], "a new 502, 503 or 504 response status"),
    ("response-default-added", "info", "a default (catch-all) response is now documented"),
    ("response-status-removed", "breaking", "a documented response status is gone"),
    ("response-media-type-added", "info", "a response comes in a new media type"),
    ("response-media-type-removed", "breaking", "a response media type is gone"),
    ("response-header-added", "info", "a new response header"),
    ("response-header-removed", "warning", "a response header is gone"),
    ("response-property-added", "info", "a new response property (additive)"),
    ("response-property-removed", "breaking", "a response property is gone"),
    ("response-property-now-required", "info", "a response property is now always present"),
    ("response-property-now-optional", "breaking", "a response property may now be absent"),
    ("response-type-narrowed", "info", "a response value takes fewer forms"),
    ("response-type-widened", "breaking", "a response value takes new forms (type, null, format)"),
    ("response-type-changed", "breaking", "a response value's type changed"),
    ("response-enum-value-removed", "info", "a response enum lost a value"),
    ("response-enum-value-added", "warning", "a response enum gained a value (exhaustive switches break)"),
    ("response-constraint-tightened", "info", "a response limit is stricter"),
    ("response-constraint-loosened", "warning", "a response limit is looser"),
    ("response-object-now-map", "breaking", "a response object's named properties are now a map's free keys "
     "(none of them promised)"),
    ("response-map-now-object", "info", "a response map's free keys are now named properties"),
    ("response-object-now-closed", "info", "a response object holds no key beyond its named properties now"),
    ("response-object-now-open", "info", "a response object may hold keys beyond its named properties now"),
    ("security-alternative-added", "info", "a new way to authenticate"),
    ("security-alternative-removed", "breaking", "a way to authenticate (or anonymous access) is gone"),
    # Two learned specs whose counts say the base only guessed (drift/evidence.py): "we know more now"
    ("response-required-unproven", "info", "a property learned as required is sometimes absent, within its evidence"),
    ("response-type-unproven", "info", "a value learned as one type takes others, within its evidence"),
    ("response-enum-unproven", "info", "a value learned as an enum takes more values, within its evidence"),
    ("response-format-unproven", "info", "a string learned in a format takes others, within its evidence"),
    ("response-object-map-unproven", "info", "an object learned with named properties is learned as a map now "
     "(its keys vary), within its evidence"),
)


class Rated(Protocol):
    @property
    def severity(self) -> str: ...


def exit_code(findings: Iterable[Rated], fail_on: str) -> int:
    """1 when anything is at or above ``fail_on`` (breaking | warning | info), else 0; ``never``: 0."""
    if fail_on == "never":
        return 0
    threshold = RANK[fail_on]
    return 1 if any(RANK[f.severity] >= threshold for f in findings) else 0


def severity_counts(findings: Iterable[Rated]) -> dict[str, int]:
    counts = dict.fromkeys(reversed(SEVERITIES), 0)
    for f in findings:
        counts[f.severity] += 1
    return counts


def table(kinds: dict[str, Kind]) -> str:
    """The kinds as a reStructuredText table (this module's doc shows both, generated from the registry)."""
    width = max(len(k) for k in kinds) + 2
    rule = f"{'=' * width}  ========  {'=' * 62}"
    lines = [rule, f"{'kind':<{width}}  severity  meaning", rule]
    lines += [f"{k.name:<{width}}  {k.severity:<8}  {k.meaning}" for k in kinds.values()]
    return "\n".join([*lines, rule])


__doc__ = (f"{__doc__}\nTraffic against a spec (``specbuild check``):\n\n{table(TRAFFIC_KINDS)}\n\n"
           f"Spec against spec (``specbuild diff``, ``build --check``):\n\n{table(CHANGE_KINDS)}\n")
