"""The one table of the fold's rules: its limits, thresholds and patterns. Pure, stdlib only.

:mod:`specbuild.learn.schema`, :mod:`specbuild.learn.builder` and :mod:`specbuild.learn.render` read
them from here, and the optional native fold (Rust, ``native/``) gets every one it needs from here too:
:func:`native_table` is what ``specbuild.learn.native`` passes to ``_native.configure()`` on import, so
the Rust code holds no threshold or pattern of its own. Change a rule here and both folds follow.

The string formats themselves are :mod:`specbuild.formats` (the drift checker reads them too).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from specbuild import formats
from specbuild.envelope import MENTIONS, OVERRIDE_FIELD
from specbuild.http import API_METHODS, OVERRIDE_HEADERS

# -- limits: what a node keeps is bounded --------------------------------------------------------------
MAX_DEPTH: Final = 64        # deeper containers are accepted as anything; keeps recursion bounded
MAX_PROPS: Final = 256       # distinct keys tracked at one object position (but those in every object there)
EVICT_KEEP: Final = MAX_PROPS * 3 // 4  # keys an eviction keeps at most (the most frequent)
ENUM_MAX: Final = 8          # distinct strings kept per position while an enum is still possible
MAX_PARAMS: Final = 128     # distinct query parameters (headers, form fields) tracked per operation; rarer go
PARAMS_KEEP: Final = MAX_PARAMS * 3 // 4  # names an eviction keeps at most (the most frequent), counted
REFUSED_NAMES_MAX: Final = 4096  # parameter names a filter refused, remembered per fold
# the ways an operation was called with credentials (security requirements) tracked, and the credentials
# one call's requirement names: real APIs have a few of each; traffic inventing credential header names
# (x-<n>-token, one per call) must not grow the fold, nor write a scheme per name
MAX_SECURITY_KEYS: Final = 64
MAX_CREDENTIALS: Final = 8

# -- rendering thresholds ------------------------------------------------------------------------------
ENUM_MIN_SEEN: Final = 20    # observations before an enum is believed
# ... and each value seen twice: in a response body, in two distinct objects or arrays (learn/schema.py's
# entities; the same stored event served on every page is one), in a request or a parameter in two calls.
# In a response body an enum wants, past that, five distinct things (arrays or objects, learn/schema.py's
# entities) a value: OctoPrint's seven users, four with a red interface and three with a blue one, are
# seven people's choices among a palette, not a closed set of two.
ENUM_ENTITIES_PER_VALUE: Final = 5
# Distinct requests (learn/witnesses.py) a response body must have been seen for before its schema
# lists any enum: 500 calls of GET /users/alice say "alice" 500 times and are one entity; values that
# recur across this many independent bodies are a closed set, not whoever the sample happened to show.
ENUM_MIN_WITNESSES: Final = 20
# MAP_MIN_KEYS keys whose values are all objects with one same set of fields (a server's providers by kind,
# each ``{"internal": ..., "providers": {...}}``) are a map of that record, however full its one object is
# (a record's fields hold different shapes).
MAP_MIN_KEYS: Final = 20     # this many sparse, same-kind keys make a map even when they look like names
NUMBERED_KEYS: Final = 3     # keys numbered alike (``chk-0``, ``chk-1``, ...) of one stem, beside ids, are
#                              ids: at least this many (``address_line_1`` and ``_2`` are a record's fields)
MAP_MAX_FILL: Final = 0.5     # ...and whose objects each carry at most this share of those keys
# Keys shaped as data (``ticket/id``, ``repo:name``, ``end seconds``, ``doc.type``: no JSON API names a field
# so) that come and go, this many and this share of a sparse position's keys, make a map whatever kinds its
# values mix (an open object); one such key beside fields is a record's odd field (``kernel.js``).
MAP_MIN_DATA_KEYS: Final = 2
MAP_DATA_SHARE: Final = 0.25
# A key written as words with spaces (``Full name``, ``Qty on hand``: the titles a user gave a table's
# columns), this many that come and go at a sparse position whose values mix kinds, makes a map (an open
# object) however few among the keys: no JSON API names its fields so, and each entity (a table, a form)
# brings its own; such keys in every object are a fixed record's (``{"nanosecond heartbeat": n}``).
LABEL: Final = r"\S+(?:\s+\S+)+"
MAP_MIN_LABELS: Final = 1
# ``@odata.type``, ``@odata.etag``, ``@microsoft.graph.downloadUrl``: an annotation a protocol names (OData
# JSON), dotted but no data: users' keys do not begin with ``@`` and a namespace.
ANNOTATION: Final = r"@[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+"
NOISE_MIN_OBJECTS: Final = 5   # a position full of one-off keys: seen this often,
NOISE_MIN_ONCE: Final = 8      # with at least this many keys seen once, over 2/3 of its keys;
NOISE_MIN_SHARE: Final = 0.02  # it keeps the keys seen twice and in this share of its objects
REQUIRED_MIN_OBJECTS: Final = 10  # objects seen at a position before absence of a property means something
# Distinct requests (learn/witnesses.py) a response body must have been seen for before its schema says
# any property is `required`: present in every one of 60 independent bodies, a property is absent from
# fewer than 5% of responses with 95% confidence (the rule of three); from fewer, a spec that promises
# it rejects tomorrow's traffic (devset, n200 samples against held-out traffic: GitHub 0.72 -> 0.85,
# Kubernetes 0.84 -> 0.97 accepted; a "live" sample whose every response was complete: 0.20 -> 0.83).
REQUIRED_MIN_WITNESSES: Final = 60
# Calls an operation must have answered without a client error before its responses say it never gets
# one (learn/statuses.py): the rule of three, as for `required`. Fewer, and it documents the API's
# client errors seen elsewhere as `4XX` (synth n200 held-out acceptance 0.936 -> 0.953).
STATUS_MIN_CALLS: Final = 60
# "Never null" is a claim like ``required`` (learn/nullability.py): a property not seen null is nullable
# while the chance it is, given the values seen non-null there, is at least NULL_DOUBT. The prior: for a
# name at several places, the share of them that are nullable (when at least NULL_MAJORITY); for a name
# at one place only, the share of nullable properties beside it, counted with NULL_PRIOR_WEIGHT more
# properties at the API's own share, so a thin object is not all the evidence (devset, n200 samples
# against held-out traffic: GitHub 0.887 -> 0.909 accepted, nullable precision 0.85 -> 0.80; Kubernetes,
# which sends no null, unchanged). A nullable property is taken to be null in a share of its values
# fitted to the API's own traffic (nullability.fit_nulls: 8% on generated Twilio, 24% on GitHub), bounded
# NULL_SHARE_MIN..NULL_SHARE, once NULL_FIT_MIN_PLACES properties with counts say so (fewer: NULL_SHARE);
# the fit's share of nullable properties is the API's prior (synth n200: Twilio 0.862 -> 0.924 accepted,
# sportsdata 0.782 -> 0.853; GitHub n200 nullable precision 0.796 -> 0.806, recall 0.920 unchanged).
NULL_DOUBT: Final = 0.05
NULL_MAJORITY: Final = 0.5
NULL_SHARE: Final = 0.25
NULL_SHARE_MIN: Final = 0.05
NULL_FIT_MIN_PLACES: Final = 50
NULL_PRIOR_WEIGHT: Final = 10
CORE_MIN_PERCENT: Final = 50  # a property in at least this share of its objects is a core path (templating)
CORE_DEPTH: Final = 2         # levels of properties core paths go down

# -- string formats ------------------------------------------------------------------------------------
# In priority order: when several formats fit every value, the first wins. Each is a full-match pattern,
# or a (pattern, test) pair when the pattern is only a cheap filter before the real test.
FORMAT_RULES: Final[tuple[tuple[str, str | tuple[str, Callable[[str], bool]]], ...]] = (
    ("date-time", formats.DATE_TIME),
    ("date", formats.DATE),
    ("time", formats.TIME),
    ("uuid", formats.UUID),
    ("email", formats.EMAIL),
    ("uri", formats.URI),
    ("ipv4", formats.IPV4),
    ("ipv6", (formats.IPV6_TEXT, formats.is_ipv6)),
)

# -- the enum guard: which strings could be one value of an enum ------------------------------------------
# a short token (a media type's one slash at most: two make a path, a route or an MQTT topic, which people
# write: Node-RED's ``factory/line3/temp``, an open set)...
# 32 characters at most, a slash among them or not (a slash after the first i+1, at most 30-i after it:
# spelled out, as neither fold's regex engine has a lookahead to bound the whole)
_TOKEN_CHAR: Final = "[A-Za-z0-9_.:+-]"
ENUM_TOKEN: Final = (f"[A-Za-z0-9](?:{_TOKEN_CHAR}{{0,31}}|"
                     + "|".join(f"{_TOKEN_CHAR}{{{i}}}/{_TOKEN_CHAR}{{1,{30 - i}}}" for i in range(30)) + ")")
ENUM_NUMERIC: Final = r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"  # ...not a number,
ENUM_HEXISH: Final = r"[a-fA-F]*[0-9][0-9a-fA-F]*"          # ...nor hex with a digit
HEX_ID_MIN: Final = 8        # hex this long with a digit in it is an id (a hash, a commit), never an enum value
ID_MIN_LEN: Final = 8        # a token this long with ID_MIN_DIGITS digits mixes them like a generated id
ID_MIN_DIGITS: Final = 2
# Names whose values are identifiers, names, addresses or text: never an enum whatever the data says.
FREE_NAMES: Final = frozenset({
    "id", "uuid", "guid", "key", "name", "login", "username", "user", "email", "mail", "url", "uri",
    "href", "link", "sha", "hash", "digest", "token", "secret", "password", "title", "description",
    "summary", "message", "comment", "body", "text", "note", "path", "file", "filename", "address",
    "phone", "etag", "slug", "label", "tag",
    # who or what a value identifies: people, principals, and the named things they own
    "owner", "author", "creator", "member", "assignee", "actor", "sender", "principal", "account",
    "committer", "reviewer", "subject", "nickname", "handle", "host", "hostname", "server", "team", "org",
    "organization", "namespace", "project", "repo", "repository", "workspace", "tenant", "bucket", "topic",
    "domain", "realm", "group", "queue", "pool",
    # the columns of the tables users make (Evidently's reports, Directus' fields, NocoDB's columns)
    "column",
    # the world's open vocabularies, as users' records hold them: the next sample's customer is elsewhere
    "city", "town", "country", "street", "postcode", "zipcode", "currency", "locale", "language", "timezone",
})
# A name glued to ``id`` names an id as ``block_id`` does (Azure's ``blockid``, ``leaseid``, ``versionids``):
# no enum. Five letters at least; not an English word that ends so (a field ``valid`` or ``hybrid`` may
# hold a closed set).
GLUED_ID_MIN: Final = 5
ID_ENDING_WORDS: Final = frozenset({
    "valid", "invalid", "fluid", "solid", "rapid", "humid", "avoid", "squid", "vivid", "timid", "lucid",
    "rigid", "liquid", "hybrid", "stupid", "android", "pyramid", "orchid", "afraid", "splendid", "candid",
    "braid", "unpaid", "prepaid", "postpaid", "overpaid", "mermaid", "cupid", "druid", "livid", "putrid",
    "tepid", "vapid", "placid", "rancid", "morbid", "sordid", "horrid", "torrid", "florid", "insipid",
    "intrepid", "forbid", "outbid", "eyelid", "arachnid", "fetid", "turbid", "squalid", "pallid", "languid",
    "limpid", "frigid", "rabid", "fervid", "nonpaid",
})
# Keys that the traffic itself shows as data (issue 11): an object whose keys are, most of them and two at
# least, strings the same API's bodies hold as values of a field naming who or what (doccano's metrics
# ``{"anna.k": {"bug": 3}}`` beside the members' ``username: "anna.k"`` and the label types' ``text: "bug"``;
# Pulp's workers' ``versions: {"core": ..., "file": ...}`` beside status' ``component: "core"``) is a map:
# the next deployment has other users, labels and plugins. Only values of a position holding two distinct
# strings or more (a field whose values vary, not one coincidence) and named as FREE_NAMES (identities,
# names, texts) or KEY_VALUE_EXTRA: a ``status: "active"``, a ``type: "email"`` or a ``sort: "name"`` is
# an enum's value that may well be a record's field name too. Nor a key that is a record's field somewhere
# (at an object position where such keys are at most half of its keys): a form's ``hidden_fields[].name``
# lists ``username`` and ``password``, the fields of the remote it describes. Read at render time from
# what the fold keeps of each operation key's positions, their enum candidates (at most ENUM_MAX short
# tokens): a field with more distinct values there, or one value that is no token (``feature request``),
# says nothing (the fold and its state are unchanged: no value collected while folding).
KEY_VALUE_EXTRA: Final = frozenset({"component", "plugin"})
KEY_VALUE_MIN_KEYS: Final = 2   # keys among the values, at least (and more than half of the object's)
# ``account:alice``, ``group:admins``: a kind and a name, a reference to someone, never an enum value
# when the names vary behind fewer kinds.
REFERENCE: Final = r"[A-Za-z][A-Za-z0-9_.-]*:[^:]+"
IDENTIFIER: Final = r"[A-Za-z_$@][A-Za-z0-9_$@-]*"          # a key that reads as a name, not data
# ``1.0.0``, ``2.3.1-beta.1``, ``v1.2``: a release of something, as a key (npm's ``versions``, ``time``)
# data, never a field's name.
RELEASE: Final = r"v?[0-9]+(?:\.[0-9]+)+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?"
# ``rabbit@mq-1``, ``couchdb@127.0.0.1``: an Erlang node's name (a name, an ``@``, one host label or an IPv4
# address), as a key (RabbitMQ's ``open_files`` and ``cluster_state``: one key per node of the cluster) data,
# never a field's name, even alone in every object. A dotted name after the ``@`` is OData's annotation of a
# field (``Members@odata.count``) or an email address (segments' ``email``, already an id).
NODE_NAME: Final = r"[A-Za-z0-9_.+-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?|[0-9]{1,3}(?:\.[0-9]{1,3}){3})"
# ``ray.io/node-id``, ``app.kubernetes.io/name``: a key qualified by a DNS name (Kubernetes' labels and
# annotations, and every label selector and node affinity modelled on them), as a key data, never a field's
# name, even alone in every object (Ray's actors' ``label_selector``: ``{"ray.io/node-id": ...}``).
QUALIFIED_NAME: Final = (r"[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)+"
                         r"/[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?")
# ``application/json``, ``text/plain; charset=utf-8``, ``image/*``: a media type, as a key (OpenAPI's
# ``content``, API Gateway's ``requestTemplates``) data, never a field's name, even alone in every object.
MEDIA_TYPE: Final = (r"(?:application|audio|font|image|message|model|multipart|text|video|\*)"
                     r"/[A-Za-z0-9!#$&^_.+*-]+(?:\s*;.*)?")
# ``headers``, ``responseHeaders``, ``http_headers``: an object so named is keyed by header names (a batch
# call's sub-requests, a stub's response, a recorded exchange), each call its own few: a map of their
# values, never properties (Kinto's batch ``headers: {"If-None-Match": "*"}`` had made it required).
HEADER_OBJECTS: Final = r"(?i)[a-z0-9_-]*headers"
# Names of objects whose keys each user chooses (the whole name: ``securityContext`` is no ``context``):
# sparse keys under them make a map, not properties.
USER_OBJECTS: Final = frozenset({
    "labels", "tags", "metadata", "annotations", "settings", "data", "params", "parameters", "extra",
    "extras", "custom", "variables", "vars", "env", "meta", "custom_fields", "user_data", "userdata", "values",
    "attributes", "preferences", "prefs",
})
# The last words of compound names of a free-form document each user writes (Nautobot's
# ``local_config_context_data``: ``{"bgp": {...}, "banner": "...", "ntp_servers": [...]}``, each device its own
# keys; ``extra_data``, ``custom_data``): where its values mix objects in, keys that vary from object to object,
# none in every one, make it an open object (a user object of another name with objects among its values stays a
# record: Kubernetes' ``metadata``); of one kind of values it is read as any other name (``client_profile_data``
# of optional strings is a record).
BLOB_ENDINGS: Final = frozenset({"data"})
# ...and the last words of compound names that are still each user's own (``job_variables``, ``podLabels``,
# ``run_parameters``, ``customMetadata``): a name's first words say whose, not what shape.
USER_OBJECT_ENDINGS: Final = frozenset({
    "variables", "vars", "parameters", "params", "labels", "annotations", "metadata",
})

# The names of the list in a list envelope (``{"page": 1, "items": [...]}``, DRF's ``results``, OData's
# ``value``, Spring's ``content``): at a body's root, the list's objects are the path's resource, as a bare
# list's are, and as the API answers one of them (nullability's scopes). Not ``data``: the APIs that list
# in ``{"data": [...]}`` answer one as ``{"data": {...}}`` (JSON:API, Directus, Asana), whose scope is then
# ``data`` in both.
LIST_ENVELOPES: Final = frozenset({
    "items", "results", "records", "entries", "content", "value", "elements", "objects", "resources",
})
# ... but never an object with an identity of its own: ``{"id": 7, "total": 9.5, "items": [{"sku", "qty"}]}`` is an
# order, and its items are its lines, not orders (named ``CurrentCart`` after another operation's resource, and
# nullability's scope the order's). No list envelope of the devset or the real sets has one of these names.
IDENTITY_NAMES: Final = frozenset({"id", "_id", "uuid"})
# What a listed object is, for the entities of the values in it (learn/schema.py): its first own property of
# these names holding a string or an integer, whatever else in it changes between two answers (OctoPrint's
# users: seven people, listed in a hundred answers as their groups and keys changed, were 11 things by
# content). An object without one is its content.
ITEM_IDENTITY_KEYS: Final = IDENTITY_NAMES | frozenset({"uid", "guid", "key", "name", "username", "login", "slug"})

# -- strings: query parameters, headers, form fields -------------------------------------------------
INT_TEXT: Final = "-?" + formats.UINT64_TEXT   # fits int64; longer is an id
NUMBER_TEXT: Final = r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+(?:[eE][-+]?[0-9]+)?|[eE][-+]?[0-9]+)"
BOOL_TEXT: Final = formats.BOOL_TEXT  # a boolean's texts in a query, a header or a form
NUMBER_START: Final = "-0123456789"  # how every INT_TEXT and NUMBER_TEXT starts (a skip for words)


def native_table() -> dict[str, Any]:
    """Every rule the native fold follows, by name, as ``_native.configure()`` takes them (it refuses a
    table with a name missing or unknown)."""
    return {
        "max_depth": MAX_DEPTH,
        "max_props": MAX_PROPS,
        "evict_keep": EVICT_KEEP,
        "enum_max": ENUM_MAX,
        "refused_names_max": REFUSED_NAMES_MAX,
        "max_params": MAX_PARAMS,
        "params_keep": PARAMS_KEEP,
        "core_min_percent": CORE_MIN_PERCENT,
        "formats": [rule for _, rule in FORMAT_RULES],
        "enum_token": ENUM_TOKEN,
        "enum_numeric": ENUM_NUMERIC,
        "enum_hexish": ENUM_HEXISH,
        "hex_id_min": HEX_ID_MIN,
        "id_min_len": ID_MIN_LEN,
        "id_min_digits": ID_MIN_DIGITS,
        "int_text": INT_TEXT,
        "number_text": NUMBER_TEXT,
        "number_start": NUMBER_START,
        "bool_text": list(BOOL_TEXT),
        "methods": sorted(API_METHODS),  # a CONNECT goes to records.decode, which says why it is not learned
        "override_headers": sorted(OVERRIDE_HEADERS),
        "override_field": OVERRIDE_FIELD,
        "override_mentions": list(MENTIONS),
        "item_identity_keys": sorted(ITEM_IDENTITY_KEYS),
    }
