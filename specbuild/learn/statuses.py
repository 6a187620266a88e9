"""The statuses an operation documents: the ones it answered with, and what the traffic cannot rule out.

A responses list is a claim like ``required``: an operation documented with ``200`` only says "it never
answers 404". Two hundred exchanges of an API of forty operations show each a handful of times, and
tomorrow's call of one of them is refused for a missing resource. So:

- **Client errors.** An operation's client errors are the API's (its error body is shared; 401, 403,
  404 and 429 are about callers and resources, not about one operation). An operation called fewer
  than ``rules.STATUS_MIN_CALLS`` times documents the API's client errors seen anywhere as ``4XX``
  (their bodies' schema, merged); called that often without one, it gets none with 95% confidence
  (absent from fewer than 5% of calls: the rule of three, as for ``required``) and a new 4xx is drift.
  Calls, not distinct requests: a 401 or a 429 answers a call, whatever its target. An API that never
  answered a client error documents none: nothing says what one looks like.
- **Success.** An operation seen only failing still succeeds (it exists): it documents ``2XX`` in the
  API's usual media type, without a schema (nothing of its body was seen).

Each inferred response says so (``x-specbuild-inferred``): ``diff`` leaves it out, as a thinner
sample's inference is no new status of the API. Server errors are never inferred: a 500 is drift
(``check``'s breaking finding), not documentation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from specbuild.learn.builder import OperationState, ResponseState
from specbuild.learn.rules import STATUS_MIN_CALLS

CLIENT_ERRORS = "4XX"
SUCCESS = "2XX"


def is_client_error(status: int) -> bool:
    return 400 <= status < 500


@dataclass(frozen=True, slots=True)
class Answers:
    """What these rules read of an operation (its states merged per template): its calls, the statuses it
    answered, its client errors' responses and its successes' bodies by media type. It pickles, small: a
    render may merge and render half the operations in another process (``learn.render``)."""

    calls: int
    statuses: tuple[int, ...]
    errors: tuple[ResponseState, ...]      # its client error responses, in its order
    success: tuple[tuple[str, int], ...]   # (media type, bodies) of its successful answers, in its order


def answers(op: OperationState) -> Answers:
    """What :func:`client_errors`, :func:`may_err`, :func:`only_failed` and :func:`success_media` read of ``op``."""
    return Answers(op.count, tuple(op.responses),
                   tuple(resp for status, resp in op.responses.items() if is_client_error(status)),
                   tuple((media, body.count) for status, resp in op.responses.items() if 200 <= status < 300
                         for media, body in resp.bodies.by_media.items()))


def client_errors(operations: Iterable[Answers]) -> ResponseState | None:
    """Every client error response of the API merged as one (copies: the operations keep theirs);
    None when the API answered none. Settled: ready to render."""
    merged: ResponseState | None = None
    for op in operations:
        for resp in op.errors:
            if merged is None:
                merged = ResponseState()
            merged.merge(resp, take=False)
    if merged is not None:
        merged.settle()
    return merged


def may_err(op: Answers) -> bool:
    """True when too few calls show that ``op`` never answers a client error (module doc)."""
    return op.calls < STATUS_MIN_CALLS


def only_failed(op: Answers) -> bool:
    """True when every answer ``op`` gave was an error (4xx or 5xx): its success is not seen."""
    return bool(op.statuses) and all(status >= 400 for status in op.statuses)


def success_media(operations: Iterable[Answers]) -> str | None:
    """The media type most of the API's successful answers came in (ties: the first by name)."""
    seen: Counter[str] = Counter()
    for op in operations:
        for media, count in op.success:
            seen[media] += count
    return min(seen, key=lambda media: (-seen[media], media)) if seen else None
