"""Segment classification: which path segments are parameters on sight, and which words never are.

Typed segments (integers, UUIDs, long hex, dates, e-mail addresses, opaque tokens) are values wherever
they appear; versions, API prefixes, aliases and actions are kept literal. Pure, stdlib only.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from itertools import pairwise
from typing import Final
from urllib.parse import unquote

from specbuild.formats import IPV4, UINT64_TEXT, UUID

# Integers, UUIDs and IPv4 addresses are the values' formats (specbuild.formats). Dates, date-times
# and e-mail addresses differ on purpose: a segment is a value by its shape, not by its validity
# (2024-02-30 and 2024-03-04T10:00 in a path are still dates, a %-escaped date-time or address is
# still one), so their patterns here are looser than the formats a body's string is tagged with.
_INTEGER: Final = re.compile(UINT64_TEXT + r"\Z")   # fits int64; longer is a token
_DIGITS: Final = re.compile(r"[0-9]+\Z")
_UUID: Final = re.compile(UUID + r"\Z")
_HEX: Final = re.compile(r"[0-9a-f]{7,}\Z|[0-9A-F]{7,}\Z")
_DATE: Final = re.compile(r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])\Z")
_DATE_TIME: Final = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}(?::|%3[Aa])[0-9]{2}(?:(?::|%3[Aa])[0-9]{2}(?:\.[0-9]+)?)?"
    r"(?:[Zz]|[+-][0-9]{2}(?:(?::|%3[Aa])?[0-9]{2})?)?\Z")
_IPV4: Final = re.compile(IPV4 + r"\Z")
_EMAIL: Final = re.compile(r"[^@/\s]+(?:@|%40)[^@/\s]+\.[A-Za-z]{2,}\Z")
# v1, v2beta1, v1.2, 2.0: API versions are prefixes, never parameters.
_VERSION: Final = re.compile(r"[vV][0-9]+(?:[._][0-9]+)*(?:(?:alpha|beta|rc|preview|dev)[0-9]*)?\Z"
                             r"|[0-9]+(?:\.[0-9]+)+\Z")
_DIGIT_RUN: Final = re.compile(r"[0-9]+")
_HAS_DIGIT: Final = re.compile(r"[0-9]")
_SEPARATORS: Final = re.compile(r"[-_.:~+]")
_HEX_PART: Final = re.compile(r"[0-9a-fA-F]{7,}\Z")
_WORD_PARTS: Final = re.compile(r"[0-9]+|[-_.:~+]")
# /Messages/SM0123abcd.json: a typed value with a file extension keeps the extension literal.
EXTENSION: Final = re.compile(r"(.+)(\.(?:json|xml|csv|tsv|txt|html?|ya?ml|pdf|png|jpe?g|gif|svg|webp|zip"
                              r"|gz|tar|mp3|mp4|wav|ics|atom|rss|ndjson|jsonl|md))\Z", re.IGNORECASE)
# ``Untitled.ipynb``, ``report 524.csv``, ``archive.tar.gz``: a name, a dot, a short extension of letters
# (and digits, after a letter: mp4). What a person saves and an API serves under a name they chose.
_FILE_NAME: Final = re.compile(r"[^./][^/]*\.[A-Za-z][A-Za-z0-9]{0,5}\Z")
_CAMEL: Final = re.compile(r"[A-Za-z][a-z]*(?:[A-Z][a-z]+)*[A-Z]?\Z")
_HUMP: Final = re.compile(r"[A-Za-z][a-z]*")
# ``NewsByPlayerID``, ``TeamsByLeagueURL``: camelCase words (two or more, of two letters or more), then an
# acronym of two to four capitals.
_ACRONYM_END: Final = re.compile(r"((?:[A-Za-z][a-z]+){2,})[A-Z]{2,4}\Z")
_CONSONANT_RUN: Final = re.compile(r"[bcdfghjklmnpqrstvwxz]{4}")
_Q_WITHOUT_U: Final = re.compile(r"q(?!u)")

BASE36_MIN: Final = 8   # shorter mixes of letters and digits are names as often as ids (h264, ec2, k8s)
STRONG_KINDS: Final = frozenset({"integer", "uuid", "hex", "date", "date-time", "email", "ipv4"})
SEGMENT_KINDS: Final = STRONG_KINDS | {"token"}  # every kind classify_segment names
API_PREFIXES: Final = frozenset({"api", "apis", "rest", "rpc", "graphql"})
# Aliases answer like the values beside them (``/users/me`` is shaped like ``/users/{username}``), so
# no evidence can tell them apart: they always stay literal. ``whoami`` is the caller's own one too (Ory
# Kratos' ``/sessions/whoami`` answers a session like every item of ``/sessions``; Matrix's
# ``/account/whoami``, RabbitMQ's ``/api/whoami``): nobody's name for an item.
ALIASES: Final = frozenset({"me", "self", "current", "mine", "latest", "whoami"})
# Actions stay literal unless the values around them are many (a k8s deployment may be called "search").
ACTIONS: Final = frozenset({"search", "new", "count", "bulk", "batch", "export", "import", "stats",
                            "login", "logout", "signin", "signout", "signup", "register", "session",
                            "token", "refresh", "verify", "reset", "password", "settings", "status",
                            "health", "info", "summary", "_search", "_count", "_bulk",
                            # what is done with one thing: /files/download/{host}/{id} beside /files/preview/...
                            "download", "upload", "preview", "thumbnail", "raw", "render", "embed",
                            # RPC-style verbs: /model-versions/create beside /model-versions/update
                            "create", "get", "list", "update", "delete", "remove", "add", "set", "cancel",
                            "restore", "filter",
                            # a check run on what is posted (Unleash's /features/validate beside its flags)
                            "validate"})
# findByStatus, createWithList, getUserInfo, verify_credentials: verbs that name no thing, first in a
# camelCase or snake_case phrase, name operations, not values (``restorePlans``, ``status_updates``: nouns).
# A verb and a version or number after ``_`` (``search_v2``, ``get_2``) is no phrase but a name someone
# numbered: Unleash's flag ``search_v2`` beside the other flags.
VERB_CAMEL: Final = re.compile(r"(?:find|get|list|create|update|delete|remove|add|set|search|upload|download"
                               r"|check|validate|verify|reset|send)(?:[A-Z]|_(?!v?\d))")


# Ids that say what they are: a sigil and a server (Matrix's @user:host, !room:host, $event:host,
# #alias:host; ~user:host), or a URI scheme made for names (acct:alice@host, urn:isbn:..., arn:aws:...).
# ``name:verb`` custom methods (Google's /files/{id}:copy) have neither, and stay words.
_SIGIL_ID: Final = re.compile(r"[@!$#+~][^:/]+:[^/]+|(?i:acct|urn|arn|did|mailto|tel|tag|spiffe|sip|xmpp):[^/]+")


# An ARN whose resource is ``type/id``, sent with its slash (AWS Batch's
# ``/v1/tags/arn:aws:batch:eu-west-1:123456789012:job-queue/growth-spot-1-queue``): the segment ends at the
# resource type, a word without digits after a region and an account, and the next segment is the rest
# of the id. An ARN without them (S3's ``arn:aws:s3:::bucket``) ends in a name: what follows is a resource.
_OPEN_ARN: Final = re.compile(r"(?i)arn:[^:/]+:[^:/]+:[a-z0-9-]+:[0-9]{12}:[a-z]+(?:-[a-z]+)*")


def decoded(label: str) -> str:
    """A path label as it was written: labels keep a path's percent-escapes (``Lima%20lab``), decoded here
    only where there is one (most labels have none: no call)."""
    return unquote(label) if "%" in label else label


def continues_id(previous: str | None) -> bool:
    """Whether the segment after ``previous`` is the rest of an id cut by its own slash (an open ARN)."""
    if previous is None or previous[:3].lower() != "arn":
        return False
    return _OPEN_ARN.fullmatch(decoded(previous)) is not None


def is_sigil_id(seg: str) -> bool:
    """``@alice:matrix.org``, ``urn:isbn:0451450523``: an id whose colon is its own (a sigil and a server,
    a URI scheme), never a custom method after a value (``{id}:cancel``)."""
    return ":" in seg and _SIGIL_ID.match(seg) is not None


# Ids recur (an entity is asked for again and again) while the paths they sit in, combined with other
# ids, do not: the templater's cache of whole paths misses on half of realistic records, this one not.
@functools.lru_cache(maxsize=8192)
def classify_segment(seg: str) -> str | None:
    """The kind of a segment that is a parameter on sight, or None for a word-like segment.

    >>> classify_segment("42"), classify_segment("v1"), classify_segment("api-45db8383e-q1zvr")
    ('integer', None, 'token')
    """
    seg = decoded(seg)
    if is_sigil_id(seg):
        return "token"
    if not _HAS_DIGIT.search(seg):
        # no digit: a word (hex without digits is vanishingly rare), unless it is an address or
        # random letters (base62 ids can lack digits: cus_BVpecptLnKlGZI)
        if "@" in seg and _EMAIL.match(seg):
            return "email"
        return "token" if _random_case(seg) else None
    if _INTEGER.match(seg):
        return "integer"
    if _DIGITS.match(seg):
        return "token"  # zero-padded numbers keep their zeros: a string
    if _IPV4.match(seg):  # before versions: 10.0.0.1 is an address, 1.2 a version
        return "ipv4"
    if _VERSION.match(seg):
        return None
    if _UUID.match(seg):
        return "uuid"
    if _DATE.match(seg):
        return "date"
    if _DATE_TIME.match(seg):
        return "date-time"
    if _HEX.match(seg):  # all-digit strings were taken above, so this mixes digits and letters
        return "hex"
    if "@" in seg and _EMAIL.match(seg):
        return "email"
    return "token" if _looks_opaque(seg) else None


def _looks_opaque(seg: str) -> bool:
    """Ids that mix digits and letters, without catching ``oauth2``, ``s3``, ``sha256`` or ``alice51``."""
    runs = _DIGIT_RUN.findall(seg)
    digits = sum(map(len, runs))
    if not any(c.isalpha() for c in seg):
        return True  # digits with separators: 10-20, 1_000_000
    if digits >= 4 and (max(map(len, runs)) >= 3 or len(runs) >= 3):
        return True  # worker-cleanup-28740121, ip-10-0-1-53.ec2.internal
    for part in _SEPARATORS.split(seg):
        if _HEX_PART.match(part) and any(c.isalpha() for c in part):
            return True  # api-45db8383e-q1zvr, aks-nodepool1-631294d7-eecb
    core = seg.rstrip("=")
    if len(core) >= 10 and sum(c.isupper() for c in core) >= 2 and sum(c.islower() for c in core) >= 2 \
            and not _words_around_a_number(core, runs):
        changes = sum(_char_class(a) != _char_class(b) for a, b in pairwise(core))
        if changes >= 4 and changes >= 0.3 * len(core):
            return True  # base64-ish: MDQ6VXNlcjE, NffrFeUfNV2Hib
    return (len(seg) >= 20 and digits >= 2) or _base36(seg, runs)


def _base36(seg: str, runs: list[str]) -> bool:
    """Random letters and digits of one case, too few digits for the rules above: ``kta2ptlsr``,
    ``m6ou7y7mass``, ``42apeqe8`` (nanoid-like ids; about one character in four of them is a digit, so a
    short one often holds only one to three). A name puts a number after words (``report2024``,
    ``alice51``) or between two (``oauth2callback``, ``sha256sum``); an id puts digits inside letters
    that read as no word, or in two places or more."""
    if len(seg) < BASE36_MIN or not seg.isascii() or not seg.isalnum() or not (seg.islower() or seg.isupper()):
        return False
    if len(runs) >= 2:
        return True
    if seg[-1].isdigit():
        return False
    return any(len(part) >= 2 and not _word_like(part) for part in _DIGIT_RUN.split(seg))


def _words_around_a_number(seg: str, runs: list[str]) -> bool:
    """``v2LoggingLevel``, ``oauth2Callback``: camelCase words around one short number (a version, the
    digit of a name) flip between letters and digits as often as base64 does, yet name an endpoint
    (``SP9ermtiAarE7``, numbers here and there, does not)."""
    return len(runs) == 1 and len(runs[0]) <= 2 and all(_camel_words(part) for part in _WORD_PARTS.split(seg) if part)


def _random_case(seg: str) -> bool:
    """Letters whose case flips like noise, not like camelCase: cus_BVpecptLnKlGZI, not findByStatus,
    nor camelCase words ending in an acronym (``NewsByPlayerID``: read as noise, the ID's two capitals
    made Sportsdata's endpoint one more id beside the words it stands among)."""
    longest = max(_SEPARATORS.split(seg), key=len)
    if len(longest) < 12 or _CAMEL.match(longest):
        return False
    acronym = _ACRONYM_END.match(longest)
    if acronym and _camel_words(acronym.group(1)):
        return False
    changes = sum(a.isupper() != b.isupper() for a, b in pairwise(longest))
    uppers = sum(c.isupper() for c in longest)
    return bool(changes >= 0.35 * len(longest) and 3 <= uppers <= len(longest) - 3)


def is_cased(seg: str) -> bool:
    """Letters of both cases, not in camelCase words: base62 and base64 ids (0OdUWJ0sBjDrqHygGUXeCF,
    cus_NffrFeUfNV2Hib), not addMembers or iPhone."""
    return (any(c.isupper() for c in seg) and any(c.islower() for c in seg)
            and not all(_camel_words(part) for part in _SEPARATORS.split(seg) if part))


def _camel_words(part: str) -> bool:
    """camelCase made of words: each hump of two letters or more has a vowel, none has four consonants
    in a row or a q without u (findById, addMembers; not uDeUuuFcGc, Utqvcfiipu, EantmzBhaZ)."""
    return bool(_CAMEL.match(part)) and all(_word_like(hump) for hump in _HUMP.findall(part))


def _word_like(hump: str) -> bool:
    low = hump.lower()
    if len(low) < 2:
        return True
    return (any(c in "aeiouy" for c in low) and _CONSONANT_RUN.search(low) is None
            and _Q_WITHOUT_U.search(low) is None)


RANDOM_MIN: Final = 12   # letters this many, of one case, reading as no word: random (a base-36 id without a digit)


def reads_as_random(word: str) -> bool:
    """``sopzicifgyvccjjq``: letters of one case, RANDOM_MIN or more, no word by their look (four
    consonants in a row, a q without u, no vowel). About one random ``[a-z0-9]`` id of fifteen in a
    hundred has no digit; it is typed by what stands beside it, never on sight (``healthchecks`` reads so
    too): :mod:`specbuild.learn.paths.templating` asks this only of a word beside such ids."""
    return (len(word) >= RANDOM_MIN and word.isascii() and word.isalpha() and (word.islower() or word.isupper())
            and not _word_like(word))


def token_kind(seg: str) -> str:
    """The kind of a segment ``classify_segment`` calls a token: ``cased`` when its letters mix the
    cases (what the ids at a position look like tells the words beside them apart), else ``token``."""
    return "cased" if is_cased(seg) else "token"


def _char_class(c: str) -> int:
    return 0 if c.isdigit() else 1 if c.isupper() else 2 if c.islower() else 3


def is_version(seg: str) -> bool:
    """``v1``, ``v2beta1``, ``1.0``: API version segments."""
    return bool(_VERSION.match(seg))


def numbered_stem(name: str) -> str | None:
    """The stem of a name numbered as people and scripts number them, a stem, a separator, a number
    (``peaks 71``, ``run_004``, ``chk-0``: ``peaks``, ``run``, ``chk``, lower case); None for other names
    and for versions (``v-2``, ``rev_3``). Keys numbered alike beside ids are ids too
    (learn/schema.py ``_numbered_beside_ids``)."""
    found = _NUMBERED.fullmatch(name)
    if found is None:
        return None
    stem = found.group(1).lower()
    return None if stem in _VERSION_STEMS else stem


def numbered_alike(names: Iterable[str], least: int = 2) -> set[str]:
    """The names whose :func:`numbered_stem` at least ``least`` of ``names`` share."""
    stems: dict[str, list[str]] = {}
    for name in names:
        stem = numbered_stem(name)
        if stem is not None:
            stems.setdefault(stem, []).append(name)
    return {name for same in stems.values() if len(same) >= least for name in same}


# a stem of letters (words, with spaces, underscores or hyphens), a separator, a number: ``peaks 71``,
# ``run_004``, ``address_line_1``, ``INV-00042``
_NUMBERED: Final = re.compile(r"([A-Za-z][A-Za-z _-]*?)[ _-]([0-9]+)")
_VERSION_STEMS: Final = frozenset({"v", "r", "version", "rev", "api"})


# ``/+api``, ``/+simple/{project}``, ``/{package}/-/{file}``, ``/-rev/{rev}``, ``/_all_docs``, ``/$metadata``:
# a leading mark sets the API's own words apart from the names people choose beside them.
_MARKED: Final = re.compile(r"[-+_$]|\.well-known\Z")


def is_file_name(seg: str) -> bool:
    """``Untitled.ipynb``, ``notes 3.md``, ``logo.PNG``: a name with an extension, not a version (``v1.2``)."""
    return "." in seg and _FILE_NAME.match(seg) is not None and not is_version(seg)


def keeps_literal(word: str) -> bool:
    """Words no amount of values beside them turns into one: me, search, findByStatus, v2, api, +api."""
    low = word.lower()
    return low in ALIASES or low in API_PREFIXES or is_action(word) or is_version(word) or is_marked(word)


def is_action(word: str) -> bool:
    """``cancel``, ``setParent``, ``findByStatus``: a word that names something done, not a thing."""
    return word.lower() in ACTIONS or bool(VERB_CAMEL.match(word))


def is_marked(word: str) -> bool:
    """``+api``, ``-rev``, ``_all_docs``: a word the API marks as its own, never a value."""
    return bool(_MARKED.match(word))


def version_here(seg: str, previous: str | None) -> bool:
    """``/rest/api/2``, ``/2010-04-01/Accounts``: a bare number or date where a version goes
    (first segment, or right after ``api``) is a version, not an id."""
    return version_after(previous) and ((seg.isdigit() and len(seg) <= 2) or bool(_DATE.match(seg)))


def version_after(previous: str | None) -> bool:
    """Whether a version goes after ``previous`` (None: first in the path): first, or right after ``api``."""
    return previous is None or previous.lower() in API_PREFIXES


def split_path(path: str) -> list[str]:
    """The segments of a path or template: ``/users/42`` -> ["users", "42"], ``/`` -> []."""
    return [] if path in ("", "/") else path[1:].split("/") if path.startswith("/") else path.split("/")


# What a path key never carries as written: braces are ours (templates), `?` and `#` would end the path
# in any URL built from the key, control characters (NUL) are no text, and `~0`/`~1` read as escapes in
# the JSON pointers of $refs and findings. Each is kept percent-encoded: the same URL to a server.
_ODD: Final = re.compile(r"[{}?#\x00-\x1f\x7f]|~(?=[01])")


def _percent(m: re.Match[str]) -> str:
    return f"%{ord(m.group()):02X}"


def escape_segment(seg: str) -> str:
    """A literal segment as a path key holds it: characters that are ours or no path's, percent-encoded."""
    return _ODD.sub(_percent, seg) if _ODD.search(seg) else seg


# Google's custom methods: ``/v1/{name}:setIamPolicy``, a verb in lowerCamelCase after a value.
_CUSTOM_METHOD: Final = re.compile(r"[^:]+(:[a-z]+(?:[A-Z][a-z]*)*)")


def custom_method(label: str) -> str:
    """The ``:verb`` a segment ends with (``alpha:setIamPolicy`` -> ``:setIamPolicy``), or ``""``. At a
    position of values the verb stays a literal after the value, as an extension does (``{sid}.json``):
    one value's methods are the API's words, not more values."""
    found = _CUSTOM_METHOD.fullmatch(label)
    return found.group(1) if found else ""
