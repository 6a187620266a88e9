"""HTTP facts every layer shares: methods, the headers that say nothing about an API, what is secret.

One place for each rule: the learner (which headers become parameters, what an example hides) and
the drift checker (what a finding may show) read the same lists, so they cannot disagree.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import Final

# The redirects a server answers a path in the form it does not serve with (Django's APPEND_SLASH: 301;
# Flask's strict_slashes: 308; FastAPI/Starlette: 307; some proxies 302): they do not serve the target.
REDIRECTS: Final = frozenset({301, 302, 307, 308})


def served(status: int) -> bool:
    """Did the server answer the request target as sent: a 2xx, or a 3xx but a redirect (``304 Not
    Modified`` and ``303 See Other`` after a POST served it)? Which of ``/x`` and ``/x/`` a path is
    documented with is the one served (learn/render.py, ``slashed``)."""
    return 200 <= status < 300 or (300 <= status < 400 and status not in REDIRECTS)


# Request methods HTTP Types records carry, and the ones an OpenAPI path item has, in its order.
METHODS: Final = frozenset({"GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE", "CONNECT"})
OPERATION_METHODS: Final = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# ... the methods of the records learned: a CONNECT opens a forward proxy's tunnel, no call of the API (and
# no OpenAPI operation has it: one in a spec failed validation)
API_METHODS: Final = frozenset(m.upper() for m in OPERATION_METHODS)

# The header a browser's CORS preflight carries (an OPTIONS asking whether the real request may be sent):
# the server's business, not the API's. Neither learned nor checked.
PREFLIGHT_HEADER: Final = "access-control-request-method"


# A URL's authority (RFC 3986 3.2.2), what a record's host may be: an IP literal in brackets (an IPv6 zone
# written ``%25``), or a name of anything but what ends or splits an authority (``/?#@:[]``), whitespace,
# controls and what no URL holds unescaped (``<>"{}|\^`` and the backquote), with well-formed percent
# escapes (any script, combining marks too: an IDN); then an optional port of at most 5 digits.
_AUTHORITY: Final = re.compile(
    r"(?:\[[0-9A-Fa-f:.]+(?:%25[\w.~-]+)?\]|(?:[^\s\x00-\x1f\x7f/?#@:\[\]{}<>\\\"^`|%]|%[0-9A-Fa-f]{2})+)"
    r"(?::([0-9]{0,5}))?")


def without_userinfo(host: str) -> str:
    """A record's host without a URL's userinfo (``admin:s3cr3t@api.example.com``: a HAR's URL, a host field
    written so): what the spec names and ``--host`` matches; the credentials are never kept."""
    return host.rpartition("@")[2]


def url_host(host: str) -> bool:
    """Whether ``host`` (a record's, its userinfo already gone) can stand in a URL as its authority: not
    ``api.example.com:99999`` (no port is over 65535) nor text with a space or a slash in it. A spec's
    ``servers`` are what clients generated from it call."""
    match = _AUTHORITY.fullmatch(host)
    if match is None:
        return False
    port = match.group(1)
    return not port or int(port) <= 65535


def cors_preflight(method: str, headers: Iterable[tuple[str, str]]) -> bool:
    """Is this request a browser's CORS preflight (``OPTIONS`` with ``Access-Control-Request-Method``)?"""
    return method == "OPTIONS" and any(name == PREFLIGHT_HEADER for name, _ in headers)


# What a server answers a call that lacks the credentials it needs (Django REST answers 403 to a session-less
# call): such calls show the scheme needed, never that it is optional.
UNAUTHENTICATED: Final = frozenset({401, 403})
# The media type of a body sent without Content-Type (a bare `401 Unauthorized`): RFC 9110 8.3 lets the
# recipient assume application/octet-stream or look at the data; the server named none, so the spec names
# none either (the range `*/*`: whatever the body is, the spec accepts the traffic it was learned from)
UNDECLARED_MEDIA: Final = "*/*"
# Headers by which a POST names the method it stands for (envelope.py): transport, never parameters.
OVERRIDE_HEADERS: Final = frozenset({"x-http-method-override", "x-http-method", "x-method-override"})
# Headers every HTTP stack sends or that belong to transport, caching, tracing or the browser:
# they say nothing about this API, so they never become parameters.
GENERIC_REQUEST_HEADERS: Final = frozenset({
    "host", "user-agent", "accept", "accept-encoding", "accept-language", "accept-charset",
    "content-length", "content-type", "content-encoding", "connection", "keep-alive", "cookie",
    "authorization", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "expect",
    "referer", "origin", "cache-control", "pragma", "dnt", "via", "forwarded", "priority",
    "upgrade-insecure-requests", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto",
    "x-forwarded-port", "x-real-ip", "x-request-id", "x-correlation-id", "correlation-id", "traceparent",
    "tracestate", "x-trace-id", "sentry-trace", "x-amzn-trace-id", "x-cloud-trace-context", "postman-token",
    "x-requested-with", "max-forwards",
    "if-range", "range", *OVERRIDE_HEADERS,
})
# Conditional requests (If-Match, If-None-Match, If-(Un)Modified-Since) and the validators they send
# back (ETag, Last-Modified) are not generic: they are the API's concurrency and caching contract (a
# 412 for a stale If-Match, a 304 for a fresh If-None-Match), so they are documented where seen.
GENERIC_REQUEST_PREFIXES: Final = ("sec-", "x-b3-", "x-envoy-", "cf-", "x-datadog-", "uber-trace")
# What an SDK says about itself on each call (its method, a bulk call's id, its language and version): client
# telemetry the server ignores, never a parameter a generated client should fill in. openfga-sdk's
# X-OpenFGA-Client-Method and -Bulk-Request-Id, Stainless SDKs' X-Stainless-*, Google's X-Goog-Api-Client,
# AWS's X-Amz-User-Agent. A vendor's X-<vendor>-Client-Id (or -Secret, -Key) is a client's credential instead.
SDK_TELEMETRY_HEADER: Final = (r"x-(?:stainless-.+|goog-api-client|amz-user-agent"
                               r"|[a-z0-9]+-client-(?!(?:id|secret|key|token)$).+)")
_SDK_TELEMETRY: Final = re.compile(SDK_TELEMETRY_HEADER).fullmatch
GENERIC_RESPONSE_HEADERS: Final = frozenset({
    "date", "server", "content-length", "content-type", "connection", "keep-alive", "transfer-encoding",
    "x-powered-by", "vary", "cache-control", "expires", "pragma", "age", "via", "alt-svc",
    "content-encoding", "set-cookie", "strict-transport-security", "x-content-type-options",
    "x-frame-options", "x-xss-protection", "content-security-policy", "referrer-policy",
    "x-request-id", "x-correlation-id", "correlation-id", "x-trace-id", "accept-ranges", "x-cache",
    "x-served-by", "x-timer", "traceparent", "nel", "report-to", "permissions-policy", "server-timing",
    "x-envoy-upstream-service-time", "x-amzn-requestid", "x-amzn-trace-id", "cf-ray", "cf-cache-status",
})
GENERIC_RESPONSE_PREFIXES: Final = ("access-control-", "x-b3-", "cross-origin-")
API_KEY_HEADERS: Final = frozenset({"x-api-key", "api-key", "apikey", "x-apikey", "x-auth-token",
                                    "x-access-token", "x-api-token", "x-token"})
# Header-name verdicts kept per policy (then forgotten at once). A record's names are judged twice, by the
# decoder's filter and by the fold's: a cache smaller than one record's names missed both times (a record
# of 10k invented headers cost 22 ms at 4,096, 12 ms at 16,384; ~2 MB at most per side).
CACHED_HEADER_NAMES: Final = 16_384
API_KEY_QUERY: Final = frozenset({"api_key", "apikey", "api-key", "access_token", "key", "token",
                                  "auth_token", "apitoken"})


# HeaderPolicy.plain's rule: generic names, generic prefixes, the closer-look pattern, the names always asked
PlainRule = tuple[tuple[str, ...], tuple[str, ...], str, tuple[str, ...]]


@dataclass(frozen=True, slots=True)
class HeaderPolicy:
    """Which headers become parameters: user globs first (exclude wins), then the built-in lists."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    # Called for every header of every record and header names are few, so the answers are kept; in
    # plain dicts (an lru_cache on the method would hash the policy's fields on every call).
    _requests: dict[str, bool] = field(default_factory=dict, init=False, repr=False, compare=False)
    _responses: dict[str, bool] = field(default_factory=dict, init=False, repr=False, compare=False)
    # The request headers asked about that carry the client's credential (no parameters: a scheme's, see
    # builder._credential, which reads this set instead of asking about every name of every record). Kept
    # and forgotten with the verdicts: a name whose verdict is kept is here if it is a credential.
    credentials: set[str] = field(default_factory=set, init=False, repr=False, compare=False)
    # True once the verdicts were forgotten: ``credentials`` may then lack a name a native decoder still
    # keeps for one (its own verdicts outlive these; a batch is decoded before it is folded), so the
    # builder asks about each name again (builder.add_fields). Only traffic inventing 16,384 names sets it.
    forgot: bool = field(default=False, init=False, repr=False, compare=False)

    def request(self, name: str) -> bool:
        keep = self._requests.get(name)
        if keep is None:
            if len(self._requests) >= CACHED_HEADER_NAMES:
                self._requests.clear()  # traffic that invents header names must not grow memory
                self.credentials.clear()
                object.__setattr__(self, "forgot", True)  # a frozen policy's cache state, as the dicts are
            keep = self._requests[name] = self._decide(name, GENERIC_REQUEST_HEADERS, GENERIC_REQUEST_PREFIXES)
            if not keep and _LOOK_CLOSER(name) is not None and is_api_key_header(name):
                self.credentials.add(name)
        return keep

    def response(self, name: str) -> bool:
        keep = self._responses.get(name)
        if keep is None:
            if len(self._responses) >= CACHED_HEADER_NAMES:
                self._responses.clear()
            keep = self._responses[name] = self._decide(name, GENERIC_RESPONSE_HEADERS, GENERIC_RESPONSE_PREFIXES)
        return keep

    def plain(self, request: bool, asked: Iterable[str] = ()) -> PlainRule | None:
        """The rule that decides every name but those :data:`LOOK_CLOSER` finds a word in (and ``asked``,
        names the caller's own filter says more about), for the native decoder to apply without asking:
        (generic names, generic prefixes, LOOK_CLOSER, asked). None when globs are given."""
        if self.include or self.exclude:
            return None
        generic, prefixes = ((GENERIC_REQUEST_HEADERS, GENERIC_REQUEST_PREFIXES) if request
                             else (GENERIC_RESPONSE_HEADERS, GENERIC_RESPONSE_PREFIXES))
        return tuple(sorted(generic)), prefixes, LOOK_CLOSER, tuple(sorted(asked))

    def _decide(self, name: str, generic: frozenset[str], prefixes: tuple[str, ...]) -> bool:
        # Globs only when given: this runs once per new name, and a record may bring 10k new names.
        if self.exclude and any(fnmatchcase(name, p.lower()) for p in self.exclude):
            return False
        if self.include and any(fnmatchcase(name, p.lower()) for p in self.include):
            return True
        if _LOOK_CLOSER(name) is not None and _credential_or_telemetry(name, generic):
            return False
        return name not in generic and not name.startswith(prefixes)


# Every name a closer look can refuse holds one of these (a credential's word, a cookie, an SDK's telemetry
# words): most names hold none, and the generic lists alone decide them (HeaderPolicy.plain: the native
# decoder applies that rule itself; a record may invent 10k names). Lower-case: header names come so.
LOOK_CLOSER: Final = "token|auth|key|secret|jwt|credential|cookie|client|stainless|goog|amz"
_LOOK_CLOSER: Final = re.compile(LOOK_CLOSER).search


def _credential_or_telemetry(name: str, generic: frozenset[str]) -> bool:
    """Whether a header is no parameter for what it carries: a credential (a security scheme's, see
    builder._credential) or, on a request, an SDK's telemetry."""
    if name in ("set-cookie", "cookie", "authorization"):
        return True
    if generic is not GENERIC_REQUEST_HEADERS:
        return False
    if is_api_key_header(name):
        return True
    # a client's credential of several words (-Api-Key, -Access-Token) is one too: the secret rule's words
    return _SDK_TELEMETRY(name) is not None and not secret_name(name)


# -- secrets -----------------------------------------------------------------------------------------
# A name is secret by its whole words (separators and camelCase humps: "X-Api-Key" -> x, api, key), never
# by a part of a word: "auth" is no secret in author_association, "ssn" none in businessName, "pin" none
# in pinned. A word counts singular or plural (tokens, cookies).
_SECRET_WORDS: Final = frozenset({
    "password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "accesskey", "privatekey",
    "secretkey", "cookie", "session", "sessionid", "credential", "signature", "bearer", "auth", "oauth",
    "authorization", "authorisation", "jwt", "csrf", "xsrf", "ssn", "cvv", "cvc", "iban", "pin", "otp",
    "cardnumber"})
# two words that are a secret together: api_key, accessKey, card-number
_SECRET_PAIRS: Final = frozenset({("api", "key"), ("access", "key"), ("private", "key"), ("secret", "key"),
                                  ("card", "number"), ("client", "key")})
# one lower-case word that ends in a secret one: accesstoken, clientsecret, newpassword
_SECRET_ENDINGS: Final = ("token", "tokens", "password", "passwd", "secret", "secrets", "apikey")
# a password's short name, as the last word (Gotify's ``pass``, Mailman's ``admin_pass``, ``newPass``): first
# or alone among others it is something else (``pass_rate``, ``passType``), and ``passes`` counts
_SECRET_LAST: Final = frozenset({"pass"})
# A word after a name's last secret word that says what kind of secret, how, where or how long: the name is
# the secret's description, not the secret. OAuth 2.0 and OpenID Connect name their vocabulary so (a client's
# ``token_endpoint_auth_method``, a token answer's ``token_type``, discovery's ``token_endpoint`` and
# ``*_supported`` lists, Hydra's ``access_token_strategy`` and ``*_access_token_lifespan``), and so do
# settings (``password_policy``, ``session_timeout``). Not ``hint``, ``value``, ``header``, ``hash``, ``id``:
# ``id_token_hint`` is an ID token, ``session_id`` a session's handle.
_SECRET_DESCRIPTORS: Final = frozenset({
    "type", "types", "kind", "method", "methods", "endpoint", "endpoints", "url", "uri", "strategy", "lifespan",
    "ttl", "timeout", "expiry", "expiration", "expires", "alg", "algorithm", "algorithms", "use", "usage",
    "format", "length", "policy", "supported", "mode", "scheme", "schemes", "enabled", "required", "count"})
# A JSON Web Key's private members (RFC 7517, 7518: an EC or OKP key's ``d``, an RSA key's ``d``, ``p``, ``q``,
# ``dp``, ``dq``, ``qi``, ``oth``, a symmetric key's ``k``): secret in an object with a ``kty`` (Hydra's admin
# API answers its key sets with them), whatever their one-letter names; the public ``x``, ``y``, ``n``, ``e`` not.
JWK_TYPE: Final = "kty"
JWK_PRIVATE: Final = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})
# A name's words: separators and camelCase humps (schema's enum guard splits names the same way).
WORD_SPLIT: Final = r"[^A-Za-z0-9]+|(?<=[a-z0-9])(?=[A-Z])"
_WORDS: Final = re.compile(WORD_SPLIT)
# Values that are credentials whatever their name: schemes, JWTs, vendor key prefixes.
_SECRET_VALUE: Final = re.compile(
    r"^(?:bearer |basic |digest |token )|^eyJ[\w-]{5,}\.[\w-]{5,}|^(?:sk|pk|rk)_(?:live|test)_"
    r"|^(?:ghp|gho|ghu|ghs|ghr|github_pat|xox[abpr]|AKIA|ASIA|AIza)[\w-]{8,}", re.IGNORECASE)
_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")


@functools.lru_cache(maxsize=4096)  # names are few and asked about for every value of every example
def secret_name(name: str) -> bool:
    """Whether a field, parameter or header of this name carries a secret (its value is never shown): a
    secret word (or pair) in it, unless a word after the last one says what kind of secret, how, where or
    how long (:data:`_SECRET_DESCRIPTORS`: ``token_type``, ``token_endpoint_auth_method``)."""
    words = [w.lower() for w in _WORDS.split(name) if w]
    last = -1
    for i, w in enumerate(words):
        if w in _SECRET_WORDS or (w.endswith("s") and w[:-1] in _SECRET_WORDS) or w.endswith(_SECRET_ENDINGS):
            last = i
    if words and words[-1] in _SECRET_LAST:
        return True
    for i, pair in enumerate(itertools.pairwise(words)):
        if pair in _SECRET_PAIRS:
            last = max(last, i + 1)
    return last >= 0 and not any(w in _SECRET_DESCRIPTORS for w in words[last + 1:])


# What every secret name holds, lower-cased: one of its words, or the second word of a pair (a cheap
# test of a whole text before it is parsed: a recorder leaves a body without any in a key as it came)
SECRET_STEMS: Final = tuple(sorted(_SECRET_WORDS | _SECRET_LAST | {second for _, second in _SECRET_PAIRS}))

# A vendor's own credential header (NocoDB's ``xc-auth`` and ``xc-token``, GitLab's ``PRIVATE-TOKEN``,
# ``X-Vault-Token``, ``X-Goog-Api-Key``, ``Ocp-Apim-Subscription-Key``): the name ends in a word of a
# credential (or two: api key, access key). Not one that says the token is something else: a page's,
# a form's (CSRF), an upload's, a request's, a retry's (``Idempotency-Key`` has no credential word).
_CREDENTIAL_LAST: Final = frozenset({"token", "auth", "apikey", "accesstoken", "authtoken", "jwt", "secret",
                                     "credential", "credentials"})
_CREDENTIAL_PAIRS: Final = frozenset({("api", "key"), ("access", "key"), ("secret", "key"), ("client", "key"),
                                      ("subscription", "key"), ("private", "key"), ("functions", "key"),
                                      ("auth", "key")})
_CLEAN_NAME: Final = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*").fullmatch  # words, one separator between
_CREDENTIAL_STEM: Final = re.compile("token|auth|key|secret|jwt|credential").search  # on the lower-case name
_NOT_CREDENTIAL: Final = frozenset({"csrf", "xsrf", "page", "next", "continuation", "pagination", "cursor", "sync",
                                    "upload", "resume", "request", "correlation", "trace", "refresh", "idempotency",
                                    "push", "notification", "device", "verification", "confirmation", "reset"})
# A vendor's X-<name>-Key is its client's key (Gotify's ``X-Gotify-Key``, RapidAPI's, Mashape's), unless the
# one word says what else it keys: a cache entry, a partition, a deduplication, a lock, a row.
_KEY_PURPOSES: Final = frozenset({"cache", "partition", "dedup", "dedupe", "deduplication", "routing", "sort",
                                  "lock", "primary", "foreign", "shard", "hash", "lookup", "group", "message",
                                  "event", "object", "row", "record", "entity", "sequence", "search", "encryption",
                                  "retry", "checksum", "resume", "index", "order", "range"})


def is_api_key_header(name: str) -> bool:
    """Whether a request header of this name carries the client's credential, an API key scheme's
    (:data:`API_KEY_HEADERS`, or a vendor's own: :data:`_CREDENTIAL_LAST`, an ``X-<name>-Key``). Asked once
    a name by a HeaderPolicy (which keeps its verdicts, and the names it found credentials: a record may
    invent 10k names)."""
    lower = name.lower()
    if lower in API_KEY_HEADERS:
        return True
    if _CREDENTIAL_STEM(lower) is None or _CLEAN_NAME(lower) is None:
        return False  # most names: no split into words; nor one a scheme's name cannot tell apart (-token, a+b)
    words = [w.lower() for w in _WORDS.split(name) if w]
    if not words or any(w in _NOT_CREDENTIAL for w in words):
        return False
    if len(words) == 3 and words[0] == "x" and words[2] == "key" and words[1] not in _KEY_PURPOSES:
        return True
    return words[-1] in _CREDENTIAL_LAST or tuple(words[-2:]) in _CREDENTIAL_PAIRS


def secret_value(value: str) -> bool:
    """Whether a string looks like a credential, whatever it is called."""
    return _SECRET_VALUE.search(value) is not None


def email(value: str) -> bool:
    """Whether a string is an email address (personal data: examples replace it)."""
    return _EMAIL.fullmatch(value) is not None


def media_type(content_type: str | None) -> str | None:
    """``application/json; charset=utf-8`` -> ``application/json`` (lower case, no parameters; None when
    it names none)."""
    if not content_type:
        return None
    mt = content_type.split(";", 1)[0].strip().lower()
    return mt or None
