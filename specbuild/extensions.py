"""The ``x-specbuild-`` extensions a learned spec carries about its evidence: ``learn`` writes them, ``drift``
reads them, so one module spells them for both (they were written twice, once in each layer)."""

from __future__ import annotations

from typing import Final

# The evidence behind a learned schema's claims (type, required, enum, format): how many values were seen
# at its position (objects, for an object). ``check`` and ``diff`` read it to tell a claim the traffic
# overturned from one that was only ever a guess (drift/evidence.py).
SEEN: Final = "x-specbuild-seen"
# On a response a learner documented because the traffic could not rule it out (learn/statuses.py: the
# API's client errors on a thinly seen operation): a statement about the evidence, not about the API.
INFERRED: Final = "x-specbuild-inferred"
# On a response documented with a body that the traffic also saw answered without one (a 200 that is empty
# when there is nothing to say): ``check`` takes an empty body there as the API's.
BODY_OPTIONAL: Final = "x-specbuild-body-optional"
# On a response of an operation whose path has no parameter, called without a query or a body, where it
# answered more calls than distinct requests: the calls. Every call there asks the same route and names
# nothing else, so its calls are the route's behaviour over time, evidence that the route is there (a route
# gone answers 404 to every call; a 404 to ``GET /lookup?email=b`` is ``b`` not found); a body's claims
# still rest on distinct requests (SEEN: five hundred calls of ``GET /user`` are one user).
CALLS: Final = "x-specbuild-calls"
# On the document: the conventions its counts follow. 2: a property that is a ``$ref`` to a component carries
# its own count beside the ``$ref`` where it was absent from some objects of its parent, none where it was in
# every one (learn/components.py), as a property written in place does. A spec without it (older learners)
# wrote no count beside a ``$ref``: there, whether such a property was in every object is unknown.
EVIDENCE: Final = "x-specbuild-evidence"
EVIDENCE_REF_COUNTS: Final = 2
# On a path parameter whose values span segments, ``/`` included (a file path: Gitea's
# ``/repos/{owner}/{repo}/contents/{filepath}`` takes ``docs/adr/0001-record.md``), which OpenAPI's path
# templating cannot say. The name is the one an OpenAPI maintainer gave such a parameter in
# OAI/OpenAPI-Specification#892 ("Support for path parameters which can contain slashes") as the form it
# would take if the spec adopted it (Roaster implements it); ``check`` and ``diff`` read it (drift/routes.py).
MULTI_SEGMENT: Final = "x-multiSegment"
