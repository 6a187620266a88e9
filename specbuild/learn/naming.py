"""What to call an operation: its tag, summary and operationId, from its method and path; pure.

``GET /users`` is "List users" (``listUsers``), ``GET /users/{userId}`` "Get a user" (``getUser``),
``POST /repos/{owner}/{repo}/issues/{issueId}/comments`` "Create an issue comment"
(``createIssueComment``): the last word of the path is the resource, the word before it (singular) says
whose, and the method and whether the path ends in a parameter say what is done to it. The tag is the
first word of the path after version prefixes (``/api/v1/namespaces/...`` -> ``namespaces``). Two
operations that would get one operationId both get more of their path (every word, then their
parameters), so the names depend only on the set of paths, never on an order.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

# Leading segments that say where an API lives, not what it is about: /api, /rest, /v1, /v2beta1, /2.0
_PREFIXES: Final = frozenset({"api", "apis", "rest"})
_VERSION: Final = re.compile(r"v\d+(?:[a-z]+\d*)?|\d+(?:\.\d+)+", re.IGNORECASE)
# a version this far into a path ends a prefix (/apis/apps/v1/deployments: "apps" is the API group)
_VERSION_DEPTH: Final = 3
_WORD: Final = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_IRREGULAR: Final = {"people": "person", "children": "child", "data": "data", "media": "media", "news": "news",
                     "status": "status", "series": "series", "species": "species", "analysis": "analysis",
               "causes": "cause", "aliases": "alias", "statuses": "status", "responses": "response"}
_VERBS: Final = {  # method -> (for one resource, for a collection of them)
    "get": ("Get", "List"), "put": ("Replace", "Replace"), "post": ("Create", "Create"),
    "patch": ("Update", "Update"), "delete": ("Delete", "Delete"), "head": ("Check", "Check"),
    "options": ("Get options of", "Get options of"), "trace": ("Trace", "Trace")}
# a last word that picks one of the collection before it: /users/me is "the current user" (every alias of
# segments.ALIASES: Ory Kratos' /sessions/whoami is the current session)
_PICKS: Final = {"me": "current", "self": "current", "current": "current", "latest": "latest", "last": "last",
                 "first": "first", "default": "default", "mine": "current", "whoami": "current"}
DEFAULT_TAG: Final = "default"
# A resource addressed by two parameters in a row (/repos/{owner}/{repo}): what each one holds, by the word
# before them; without one, the templater's names (repoName, repoName2) stay.
_PAIRS: Final = {"repos": ("owner", "repo"), "repositories": ("owner", "repo"), "teams": ("org", "team"),
                 "namespaces": ("namespace", "name"), "projects": ("namespace", "project"),
                 "packages": ("owner", "package"), "images": ("namespace", "image"), "buckets": ("bucket", "key"),
                 "gists": ("owner", "gist"), "models": ("owner", "model")}


@dataclass(frozen=True, slots=True)
class Name:
    summary: str
    words: tuple[str, ...]       # the operationId's words: verb, then the resource
    context: tuple[str, ...]     # every word of the path: what tells two like names apart
    params: tuple[str, ...]      # the path's parameters, in order
    resource: tuple[str, ...] = ()   # one of what the path is about: (comment,) for .../issues/{n}/comments
    whose: tuple[str, ...] = ()      # whose it is: (issue,) for .../issues/{n}/comments
    many: bool = False               # the operation is about many of them (List, Delete all)


def singular(word: str) -> str:
    """``issues`` -> ``issue``, ``policies`` -> ``policy``, ``branches`` -> ``branch``; ``status`` stays."""
    w = word.lower()
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if w.endswith(("sses", "shes", "ches", "xes", "zes", "uses")):
        return w[:-2]
    if len(w) > 2 and w.endswith("s") and not w.endswith(("ss", "us", "is", "fs")):  # fs: nfs, cephfs
        return w[:-1]
    return w


def words(segment: str) -> list[str]:
    """``check-runs`` -> ``[check, runs]``, ``pullRequests`` -> ``[pull, requests]``; lower case."""
    return [w.lower() for w in _WORD.findall(segment)]


def resource_segments(path: str) -> list[str]:
    """The path's segments after the prefixes that say where the API lives (``/api/v1``, ``/apis/apps/v1``)."""
    segs = [s for s in path.strip("/").split("/") if s]
    leading = 0
    while leading < len(segs) and not _is_param(segs[leading]):
        leading += 1
    versions = [i for i in range(min(leading, _VERSION_DEPTH)) if _VERSION.fullmatch(segs[i])]
    start = versions[-1] + 1 if versions else 0
    while start < leading and segs[start].lower() in _PREFIXES:
        start += 1
    return segs[start:]


def pair_names(word: str) -> tuple[str, str] | None:
    """What two parameters in a row after ``word`` hold: ``repos`` -> ``(owner, repo)``; None for others."""
    return _PAIRS.get(word.lower())


def tag_of(path: str) -> str:
    """The first word of the path that says what it is about: ``/api/v1/pods/{id}`` -> ``pods``."""
    literal = [s for s in resource_segments(path) if not _is_param(s)]
    return literal[0] if literal else DEFAULT_TAG


def tag_description(tag: str) -> str:
    return "Operations on " + (" ".join(words(tag)) or tag)


def name(method: str, path: str) -> Name:
    """The operation's summary, operationId words (before telling like names apart) and resource."""
    segs = resource_segments(path)
    literal = [i for i, s in enumerate(segs) if not _is_param(s) and words(s)]
    params = tuple(s[1:-1] for s in segs if _is_param(s))
    m = method.lower()
    if not literal:
        return _phrase(m, ["resource"] if params else ["root"], [], "item" if params else "one", params, ())
    last = literal[-1]
    noun = words(segs[last])
    whose = _one_of(segs[literal[-2]]) if len(literal) > 1 else []
    context = tuple(w for i in literal[:-1] for w in _one_of(segs[i]))
    if len(noun) == 1 and noun[0] in _PICKS and literal[-2:] == [last - 1, last]:
        noun, whose, context = [_PICKS[noun[0]], *whose], [], context[:-len(whose)]
    if any(_is_param(s) for s in segs[last + 1:]):
        kind = "item"
    else:
        kind = "collection" if singular(noun[-1]) != noun[-1] else "one"
    return _phrase(m, noun, whose, kind, params, context)


def _phrase(method: str, noun: list[str], whose: list[str], kind: str, params: tuple[str, ...],
            context: tuple[str, ...]) -> Name:
    one, many = _VERBS.get(method, (method.capitalize(), method.capitalize()))
    plural = kind == "collection" and method != "post"
    thing = [*whose, *noun[:-1], noun[-1] if plural else singular(noun[-1])]
    verb = many if kind == "collection" else one
    article = "" if plural else "the " if kind == "one" else _article(thing[0]) + " "
    summary = f"{verb} {article}{' '.join(thing)}"
    verb_words = verb.lower().split()
    return Name(summary=summary, words=(*verb_words, *thing),
                context=(*verb_words, *context, *thing[len(whose):]), params=params,
                resource=(*noun[:-1], singular(noun[-1])), whose=tuple(whose), many=plural)


def _one_of(segment: str) -> list[str]:
    """``pull-requests`` -> ``[pull, request]``: the words that name one of a collection."""
    ws = words(segment)
    return [*ws[:-1], singular(ws[-1])]


def _article(word: str) -> str:
    return "an" if word[:1] in "aeio" else "a"


def _is_param(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


def camel(parts: tuple[str, ...] | list[str]) -> str:
    return "".join(p if i == 0 else p[:1].upper() + p[1:] for i, p in enumerate(parts))


def name_operations(paths: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    """Give every operation of ``paths`` its tags, summary and a unique operationId; the tags to list."""
    names = {(path, method): name(method, path) for path in paths for method in paths[path]}
    ids = unique_ids(names)
    tags: set[str] = set()
    for (path, method), n in names.items():
        tag = tag_of(path)
        tags.add(tag)
        op = paths[path][method]
        op["summary"], op["operationId"], op["tags"] = n.summary, ids[(path, method)], [tag]
    return [{"name": t, "description": tag_description(t)} for t in sorted(tags)]


def unique_ids(names: dict[tuple[str, str], Name]) -> dict[tuple[str, str], str]:
    """operationIds from the names' words; like ones take more of their path, then a number (sorted order)."""
    ladder: tuple[Callable[[Name], tuple[str, ...]], ...] = (
        lambda n: n.words, lambda n: n.context,
        lambda n: (*n.context, *(w for p in n.params for w in ("by", *words(p)))))
    ids: dict[tuple[str, str], str] = {}
    pending = sorted(names)
    for step in ladder:
        groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for key in pending:
            groups[camel(step(names[key]))].append(key)
        pending = []
        for candidate, keys in groups.items():
            if len(keys) == 1 and candidate not in ids.values():
                ids[keys[0]] = candidate
            else:
                pending.extend(keys)
        pending.sort()
    taken = set(ids.values())
    for key in pending:
        base = camel(ladder[-1](names[key]))
        n = 1
        candidate = base
        while candidate in taken:
            n += 1
            candidate = f"{base}{n}"
        taken.add(candidate)
        ids[key] = candidate
    return ids
