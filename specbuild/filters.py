"""Which records a run keeps: ``--include-path``/``--exclude-path`` (globs), ``--host``, ``--method``; pure.

A path glob matches the record's path (no query string): ``*`` and ``?`` stay within one segment, ``**``
crosses segments, and a trailing ``/**`` also matches the prefix itself (``/api/**`` keeps ``/api``)::

    >>> f = RecordFilter.of(include=["/api/**"], exclude=["/api/health"])
    >>> f.keeps("GET", "/api/users/1", ""), f.keeps("GET", "/api/health", ""), f.keeps("GET", "/", "")
    (True, False, False)

A host glob matches the host the client used (the record's host, else its Host header), without the
port unless the glob names one, in any case. Each kind of filter given must pass (the path ones: any
include, no exclude); a filter is picklable (worker processes get it whole).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from specbuild.errors import UsageError
from specbuild.http import METHODS, without_userinfo

_PATH_TOKENS = re.compile(r"/\*\*$|\*\*/|\*\*|\*|\?|[^*?/]+|/")


def path_glob(glob: str) -> re.Pattern[str]:
    """The regular expression of a path glob (see the module's doc)."""
    if not glob.startswith(("/", "*")):
        glob = "/" + glob
    if len(glob) > 1 and glob.endswith("/") and not glob.endswith("**/"):
        glob = glob.rstrip("/")  # paths are compared without their trailing slash
    parts = []
    for token in _PATH_TOKENS.findall(glob):
        if token == "/**":
            parts.append("(?:/.*)?")
        elif token == "**/":
            parts.append("(?:.*/)?")
        elif token == "**":
            parts.append(".*")
        elif token == "*":
            parts.append("[^/]*")
        elif token == "?":
            parts.append("[^/]")
        else:
            parts.append(re.escape(token))
    return re.compile("".join(parts), re.DOTALL)


def host_glob(glob: str) -> tuple[re.Pattern[str], bool]:
    """The regular expression of a host glob, and whether it names a port."""
    glob = glob.strip().lower()
    if not glob:
        raise UsageError("--host takes a host name (e.g. api.example.com or '*.example.com')")
    with_port = ":" in glob.rsplit("]", 1)[-1]  # the brackets of an IPv6 address hold colons of their own
    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in glob)
    return re.compile(rx, re.DOTALL), with_port


@dataclass(frozen=True, slots=True)
class RecordFilter:
    """The filters of a run; :meth:`of` builds one from the options (None when none was given)."""

    include: tuple[re.Pattern[str], ...] = ()
    exclude: tuple[re.Pattern[str], ...] = ()
    hosts: tuple[tuple[re.Pattern[str], bool], ...] = ()
    methods: frozenset[str] = frozenset()
    said: str = ""  # the options as given, for messages ("--include-path '/api/**'")

    @classmethod
    def of(cls, include: Iterable[str] = (), exclude: Iterable[str] = (), hosts: Iterable[str] = (),
           methods: Iterable[str] = ()) -> RecordFilter | None:
        include, exclude, hosts, methods = tuple(include), tuple(exclude), tuple(hosts), tuple(methods)
        if not (include or exclude or hosts or methods):
            return None
        wanted = frozenset(m.strip().upper() for m in methods)
        unknown = sorted(wanted - METHODS)
        if unknown:
            raise UsageError(f"--method {unknown[0]!r} is not an HTTP method",
                             hint="one of " + ", ".join(sorted(METHODS)))
        said = " ".join(f"{flag} {value!r}" for flag, values in
                        (("--include-path", include), ("--exclude-path", exclude), ("--host", hosts),
                         ("--method", methods)) for value in values)
        return cls(tuple(map(path_glob, include)), tuple(map(path_glob, exclude)),
                   tuple(map(host_glob, hosts)), wanted, said)

    def keeps(self, method: str, path: str, host: str) -> bool:
        """Whether a record of this (upper-case) method, path and host passes every filter given."""
        if self.methods and method not in self.methods:
            return False
        if self.include and not any(rx.fullmatch(path) for rx in self.include):
            return False
        if any(rx.fullmatch(path) for rx in self.exclude):
            return False
        if self.hosts:
            host = without_userinfo(host).lower()
            bare = _without_port(host)
            return any(rx.fullmatch(host if with_port else bare) for rx, with_port in self.hosts)
        return True


def _without_port(host: str) -> str:
    if host.startswith("["):  # [::1]:8080
        return host.split("]", 1)[0] + "]"
    name, colon, port = host.rpartition(":")
    return name if colon and port.isdigit() and ":" not in name else host
