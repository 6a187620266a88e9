"""learn/statuses.py: an operation documents the API's client errors until enough calls show it gets none,
and a success when it was seen only failing."""

from __future__ import annotations

import json
import pickle
from functools import partial
from typing import Any

import orjson
import pytest

from specbuild import build_spec
from specbuild.drift import check as drift_check
from specbuild.drift.diff import diff
from specbuild.io.files import dumps
from specbuild.io.validate import BodyValidator
from specbuild.learn import render as render_module
from specbuild.learn.builder import SpecBuilder
from specbuild.learn.components import inline
from specbuild.learn.render import render
from specbuild.learn.rules import STATUS_MIN_CALLS
from specbuild.records import Exchange
from tests.helpers import ex

check = partial(drift_check.check, explain=BodyValidator)
PET = {"id": 1, "name": "Rex"}
MISSING = {"message": "no such pet", "code": "not_found"}


def traffic() -> list[Exchange]:
    out = [ex("get", f"/pets/{i}", 200, resp={**PET, "id": i}) for i in range(1, 4)]
    out.append(ex("get", "/pets/9", 404, resp=MISSING))
    # well observed: called STATUS_MIN_CALLS times (one target: a 401 answers a call), never a client error
    out += [ex("get", "/orders", 200, resp=[{"id": i}]) for i in range(STATUS_MIN_CALLS)]
    out += [ex("get", "/stores", 200, resp=[{"city": "Oslo"}]) for _ in range(5)]  # thin
    out.append(ex("post", "/stores", 500, resp={"message": "oops"}))
    out.append(ex("delete", "/stores/7", 404, resp=MISSING))  # seen only failing
    return out


def responses(doc: dict[str, Any], path: str, method: str = "get") -> dict[str, Any]:
    return dict(inline(doc)["paths"][path][method]["responses"])


def test_a_thin_operation_documents_the_apis_client_errors() -> None:
    doc = build_spec(traffic())
    stores = responses(doc, "/stores")
    assert sorted(stores) == ["200", "4XX"]
    schema = stores["4XX"]["content"]["application/json"]["schema"]
    assert sorted(schema["properties"]) == ["code", "message"]
    # tomorrow's 403 on it is the API agreeing with its spec, not drift
    assert check(doc, [ex("get", "/stores", 403, resp={"message": "not yours", "code": "forbidden"})]) == []


def test_a_thin_operation_that_erred_documents_the_range_beside_its_own_codes() -> None:
    assert sorted(responses(build_spec(traffic()), "/pets/{petId}")) == ["200", "404", "4XX"]


def test_an_operation_seen_only_failing_documents_a_success_of_unknown_body() -> None:
    doc = build_spec(traffic())
    gone = responses(doc, "/stores/{storeId}", "delete")
    assert sorted(gone) == ["2XX", "404", "4XX"]
    assert gone["2XX"]["content"] == {"application/json": {"schema": {}}}  # as the API's successes; any body
    assert check(doc, [ex("delete", "/stores/8", 200, resp={"deleted": True})]) == []
    assert sorted(responses(doc, "/stores", "post")) == ["2XX", "4XX", "500"]


def test_enough_requests_without_a_client_error_say_it_gets_none() -> None:
    doc = build_spec(traffic())
    assert sorted(responses(doc, "/orders")) == ["200"]
    found = check(doc, [ex("get", "/orders", 404, resp=MISSING, query={"page": "1"})])
    assert [f.kind for f in found] == ["undocumented-client-error"]


def test_server_errors_are_never_inferred_and_an_api_without_client_errors_documents_none() -> None:
    doc = build_spec(traffic())
    assert all("5XX" not in ops[m]["responses"] for ops in doc["paths"].values() for m in ops)
    quiet = build_spec([e for e in traffic() if not 400 <= e.status < 500])
    assert all("4XX" not in ops[m]["responses"] for ops in quiet["paths"].values() for m in ops)


def test_a_thinner_sample_inferring_client_errors_is_no_change_of_the_api() -> None:
    """``diff`` of a spec learned from more traffic (``/stores`` called 60 times, so no 4XX) and one from
    a shorter window (five calls: 4XX inferred): no status added or removed, either way."""
    thin = build_spec(traffic())
    rich = build_spec(traffic() + [ex("get", "/stores", 200, resp=[{"city": "Oslo"}])] * STATUS_MIN_CALLS)
    assert "4XX" in thin["paths"]["/stores"]["get"]["responses"]
    assert "4XX" not in rich["paths"]["/stores"]["get"]["responses"]
    assert [c.kind for c in diff(rich, thin)] == [] and [c.kind for c in diff(thin, rich)] == []
    # a client error seen is stated, inferred or not elsewhere
    seen = build_spec([*traffic(), ex("get", "/orders", 404, resp=MISSING)])
    assert [c.kind for c in diff(thin, seen)] == ["response-client-error-added"]


def test_both_engines_and_any_record_order_give_the_same_bytes() -> None:
    records = traffic()
    pure = dumps(render(SpecBuilder(accelerated=False).add_all(records)))
    assert dumps(render(SpecBuilder().add_all(records))) == pure
    assert dumps(render(SpecBuilder(accelerated=False).add_all(records[::-1]))) == pure


def test_half_the_operations_rendered_elsewhere_make_the_same_document(monkeypatch: pytest.MonkeyPatch) -> None:
    """render(elsewhere=...): every other operation merged and rendered in another process (its answer
    crosses a pipe: pickled here), client errors and successes inferred from both halves, security schemes
    named by both; the same bytes as one process. An answer that never comes: rendered here."""
    monkeypatch.setattr(render_module, "ELSEWHERE_MIN_KEYS", 0)
    traffic_ = [*traffic(), ex("get", "/keys", 200, resp=[{"id": 1}], headers={"x-api-key": "k"}),
                ex("get", "/owners", 200, resp=[{"id": 2}], headers={"authorization": "Bearer t"}),
                ex("put", "/owners/3", 409, resp={"message": "taken", "code": "conflict"}),
                # the names its bodies hold as who (read elsewhere, while the templates are decided here) key a map
                *(ex("get", f"/teams/{i}", 200, resp={"members": [{"username": "ann"}, {"username": "bob"}],
                                                      "score": {"ann": i, "bob": i + 1}}) for i in range(3))]
    builder = SpecBuilder().add_all(traffic_)
    ran: list[str] = []

    def elsewhere(task: Any) -> Any:
        answer = pickle.loads(pickle.dumps(task()))  # as it would cross the pipe
        ran.append(task.func.__name__)
        return lambda: answer

    alone = dumps(render(builder))
    assert dumps(render(builder, elsewhere=elsewhere)) == alone
    assert ran == ["who_strings", "_rendered_text"]
    doc = json.loads(alone)
    score = doc["paths"]["/teams/{teamId}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert "additionalProperties" in score["properties"]["score"], score
    assert sorted(doc["components"]["securitySchemes"]) == ["apiKeyHeaderXApiKey", "bearerAuth"]
    assert "4XX" in doc["paths"]["/stores"]["get"]["responses"]
    assert dumps(render(builder, elsewhere=lambda task: lambda: None)) == alone  # it died: rendered here
    assert dumps(render(builder, elsewhere=lambda task: None)) == alone  # it could not start

    class NoJson:  # what orjson says of an int over 64 bits
        loads = staticmethod(orjson.loads)

        @staticmethod
        def dumps(value: Any) -> bytes:
            raise TypeError("Integer exceeds 64-bit range")

    monkeypatch.setattr(render_module, "orjson", NoJson)
    assert dumps(render(builder, elsewhere=elsewhere)) == alone  # its answer: None, rendered here
    assert ran == ["who_strings", "_rendered_text"] * 2
