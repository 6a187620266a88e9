"""String formats, written once: the patterns the learner tags values with, the drift checker's fast
format checks and the path-segment classifier read. Pure, stdlib only.

Below both ``specbuild.learn`` and ``specbuild.drift`` (the import-linter layers), so neither imports
the other for them. Each pattern is a plain string, a full match, at least as strict as jsonschema's
format checker (a value tagged with a format here validates there). They avoid lookaround and use
``[0-9]`` for digits, not ``\\d``, so that the optional native fold (``specbuild.learn.native``)
compiles these very strings with Rust's ``regex`` crate, whose ``\\d`` is Unicode: one set of
rules, two engines.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from typing import Final

TIME: Final = r"(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
_YEAR = r"(?:[1-9][0-9]{3}|0[1-9][0-9]{2}|00[1-9][0-9]|000[1-9])"  # 0001-9999: year 0000 is not a date
_LEAP_YEAR = r"(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
# Days per month (and 29 February in leap years only) are in the pattern itself, so a match is enough.
DATE: Final = (rf"(?:{_YEAR}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)"
               rf"|(?:0[13578]|1[02])-31)|{_LEAP_YEAR}-02-29)")
DATE_TIME: Final = DATE + "[Tt]" + TIME
UUID: Final = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
EMAIL: Final = (r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")
_URI_CHARS = r"A-Za-z0-9\-._~!$&'()*+,;=:@"
_PCT = r"%[0-9A-Fa-f]{2}"


def _uri_part(extra: str) -> str:
    """Characters RFC 3986 allows in a URI component, and %-escapes with two hex digits."""
    return rf"[{_URI_CHARS}{extra}]*(?:{_PCT}[{_URI_CHARS}{extra}]*)*"


# The authority is not empty (``http:///x`` is no URI): the first alternative starts with a character,
# the second with an escape.
_AUTHORITY = rf"(?:[{_URI_CHARS}]+(?:{_PCT}[{_URI_CHARS}]*)*|(?:{_PCT}[{_URI_CHARS}]*)+)"
URI: Final = (rf"[A-Za-z][A-Za-z0-9+.-]*://{_AUTHORITY}(?:/{_uri_part('/')})?"
              rf"(?:\?{_uri_part('/?')})?(?:#{_uri_part('/?')})?")
_IPV4_PART = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
IPV4: Final = rf"{_IPV4_PART}(?:\.{_IPV4_PART}){{3}}"
# Only a filter: what could be an IPv6 address, before ``ipaddress`` (the reference) decides.
IPV6_TEXT: Final = r"[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*"
# A decimal integer that fits int64 (at most 18 digits); a longer run of digits is an id, not a number.
UINT64_TEXT: Final = r"(?:0|[1-9][0-9]{0,17})"


def fullmatcher(pattern: str) -> Callable[[str], re.Match[str] | None]:
    """The full-match test of one of the patterns above (ASCII: ``[0-9]`` and classes mean bytes)."""
    return re.compile(pattern, re.ASCII).fullmatch


_IPV6_CHARS = fullmatcher(IPV6_TEXT)


def is_ipv6(v: str) -> bool:
    """An IPv6 address, without a scope id (``%eth0``: IPV6_TEXT refuses the ``%``)."""
    if _IPV6_CHARS(v) is None:
        return False
    try:
        ipaddress.IPv6Address(v)
    except ValueError:
        return False
    return True


# The texts of a boolean in a query string, a header or a form field: JSON's, and Python's ``str(True)``
# (requests sends a bool param so: doccano-client's ``confirmed=True``; django-filter and most servers read
# both). The learner types them (learn/schema.StringsShape) and drift/forms.scalar reads them back alike.
BOOL_TEXT: Final = ("true", "false", "True", "False")
