"""Form bodies with bracket keys (Rails, PHP, Stripe) as nested objects and arrays: the names parsed
(records), the tree rendered (learn/forms), the traffic read nested and typed by ``check`` (drift/forms),
the fold's keys collapsed (order-free under the cap on names), the pure and native folds alike."""

from __future__ import annotations

import random
from typing import Any
from urllib.parse import urlencode

import orjson
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from specbuild import build_spec
from specbuild.drift import check as drift_check
from specbuild.drift.forms import deep_value, form_value
from specbuild.io.files import dumps
from specbuild.io.validate import BodyValidator
from specbuild.learn import forms, native, rules
from specbuild.learn.builder import ParamMap, ParamState, SpecBuilder
from specbuild.records import Exchange, decode, form_key, form_name, is_index
from specbuild.run import Fold, build_document

FORM = "application/x-www-form-urlencoded"


def post(path: str, fields: list[tuple[str, str]], answer: Any = None) -> dict[str, Any]:
    """A record POSTing ``fields`` as a form (and answering ``answer`` as JSON, if given)."""
    response: dict[str, Any] = {"statusCode": 200}
    if answer is not None:
        response.update(headers={"content-type": "application/json"}, body=orjson.dumps(answer).decode())
    return {"request": {"method": "POST", "protocol": "https", "host": "api.example.com", "pathname": path,
                        "headers": {"content-type": FORM}, "body": urlencode(fields)},
            "response": response}


def exchanges(records: list[dict[str, Any]]) -> list[Exchange]:
    return [decode(orjson.dumps(r)) for r in records]


def media(doc: dict[str, Any], path: str) -> dict[str, Any]:
    return dict(doc["paths"][path]["post"]["requestBody"]["content"][FORM])


def resolved(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with its component ``$ref``s inlined (a learned body's objects are shared components)."""
    if "$ref" in schema:
        return resolved(doc, doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]])
    return {k: (resolved(doc, v) if isinstance(v, dict) else
                {n: resolved(doc, s) for n, s in v.items()} if k == "properties" else
                [resolved(doc, b) for b in v] if k == "anyOf" else v)
            for k, v in schema.items()}


def charges(n: int = 40, seed: int = 1) -> list[dict[str, Any]]:
    """Stripe-like charges: a plain amount, a nested object, an array of objects, free metadata keys."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        fields = [("amount", str(rng.randrange(1, 999))), ("shipping[name]", rng.choice(["ann", "bo"]))]
        if i % 2:
            fields.append(("shipping[address][city]", rng.choice(["Oslo", "Lima"])))
        for k in range(rng.randrange(1, 4)):
            fields += [(f"items[{k}][price]", f"price_{rng.randrange(99)}"), (f"items[{k}][quantity]", str(k + 1))]
        fields += [(f"metadata[{rng.choice(['order', 'ref', 'team', 'cart', 'batch', 'note'])}_{i}]", "x")]
        fields += [("expand[]", "customer")] if i % 3 else []
        out.append(post("/v1/charges", fields))
    return out


# -- names --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "path", "key"), [
    ("amount", ("amount",), "amount"),
    ("metadata[plan]", ("metadata", "plan"), "metadata[plan]"),
    ("items[0][price]", ("items", "0", "price"), "items[][price]"),
    ("items[12][tiers][3]", ("items", "12", "tiers", "3"), "items[][tiers][]"),
    ("tags[]", ("tags", ""), "tags[]"),
    ("a[0", ("a[0",), "a[0"),          # not of the base[a][b] shape: a plain name
    ("[0]", ("[0]",), "[0]"),
    ("a[0]b", ("a[0]b",), "a[0]b"),
    ("a[[0]]", ("a[[0]]",), "a[[0]]"),
    ("a]b[0]", ("a]b[0]",), "a]b[0]"),
    ("a[123456789][b]", ("a", "123456789", "b"), "a[][b]"),
    ("a[1234567890][b]", ("a", "1234567890", "b"), "a[1234567890][b]"),  # 10 digits: a key
    ("a[07][b]", ("a", "07", "b"), "a[07][b]"),  # a leading zero: a key, as qs reads it
    # records.MAX_FORM_DEPTH: 32 segments are a path, more a plain name (record.rs's form_key agrees)
    ("a" + "[x]" * 31 + "[0]", ("a", *["x"] * 31, "0"), "a" + "[x]" * 31 + "[]"),
    ("a" + "[x]" * 32 + "[0]", ("a" + "[x]" * 32 + "[0]",), "a" + "[x]" * 32 + "[0]"),
])
def test_bracket_names_parse_into_paths_and_fold_under_collapsed_indices(name: str, path: tuple[str, ...],
                                                                         key: str) -> None:
    assert form_name(name) == path
    assert form_key(name) == key


def test_an_index_is_digits_or_empty() -> None:
    assert is_index("") and is_index("0") and is_index("17") and is_index("9" * 9)
    assert not is_index("07") and not is_index("00")  # qs reads a[07] as a key
    assert not is_index("9" * 10) and not is_index("9" * 5000)  # a key: int() of 5,000 digits raised in check
    assert not is_index("x1") and not is_index("٣")  # an Arabic-Indic digit is no array position


# -- rendering ----------------------------------------------------------------------------------------
def test_bracket_keys_render_as_nested_objects_arrays_and_maps() -> None:
    doc = build_spec(exchanges(charges(60)))  # 60 distinct bodies: enough for a request body's ``required``
    body = media(doc, "/v1/charges")
    schema = resolved(doc, body["schema"])
    props = schema["properties"]
    assert sorted(props) == ["amount", "expand", "items", "metadata", "shipping"]
    assert props["amount"]["type"] == "integer"
    assert props["expand"] == {"type": "array", "items": {"type": "string"}}
    items = props["items"]
    assert items["type"] == "array" and sorted(items["items"]["properties"]) == ["price", "quantity"]
    assert items["items"]["properties"]["quantity"]["type"] == "integer"
    assert "required" not in items["items"]  # a name counts bodies, not items: nothing to say per item
    assert props["metadata"] == {"type": "object", "additionalProperties": {"type": "string"}}
    shipping = props["shipping"]
    assert sorted(shipping["properties"]) == ["address", "name"] and shipping["required"] == ["name"]
    assert shipping["properties"]["address"]["properties"]["city"]["type"] == "string"
    # metadata was in every body, but no one of its keys was: how many bodies had it, the counts do not say
    assert schema["required"] == ["amount", "items", "shipping"]
    assert body["encoding"] == {name: {"style": "deepObject", "explode": True}
                                for name in ("expand", "items", "metadata", "shipping")}


def test_an_optional_object_of_many_optional_fields_is_no_map() -> None:
    """A dispute's ``evidence``: 25 text fields, each in most of the bodies that have it, in few bodies;
    against every body its fields look sparse, against its own count (its most frequent field's) not."""
    rng = random.Random(2)
    records = []
    for _ in range(80):
        fields = [("submit", "true")]
        if rng.random() < 0.3:
            fields += [(f"evidence[field_{k}]", "text") for k in range(25) if rng.random() < 0.8]
        records.append(post("/v1/disputes", fields))
    doc = build_spec(exchanges(records))
    evidence = resolved(doc, media(doc, "/v1/disputes")["schema"])["properties"]["evidence"]
    assert "additionalProperties" not in evidence and len(evidence["properties"]) == 25


def test_a_form_whose_own_names_are_all_data_is_a_map_as_a_json_body_is() -> None:
    """Mailman's ``PATCH /lists/{id}/uris`` (mailmanclient's ``set_template``) sends one template name per call,
    ``list:member:regular:footer=<url>``: its names are the templates' (``GET`` there lists them), each
    list sets its own. A JSON body of the same keys was a map; the form's were properties, and the next
    sample's templates undocumented ones. A plain form (``user``, ``remember``) stays an object."""
    names = ["list:admin:action:post", "list:member:digest:header", "list:user:notice:welcome"]
    records = [post("/lists/uris", [(names[i % 2], f"http://127.0.0.1:9/t/{i}.txt")]) for i in range(6)]
    schema = resolved(doc := build_spec(exchanges(records)), media(doc, "/lists/uris")["schema"])
    assert schema == {"type": "object", "additionalProperties": {"type": "string", "format": "uri"}}
    mixed = [post("/lists/uris", [(names[i % 2], f"u{i}"), ("pre_confirmed", "true")]) for i in range(6)]
    schema = resolved(doc := build_spec(exchanges(mixed)), media(doc, "/lists/uris")["schema"])
    assert "additionalProperties" not in schema and "pre_confirmed" in schema["properties"]


def test_a_name_sent_as_a_value_and_as_an_object_is_either() -> None:
    records = [post("/v1/customers", [("metadata", "")]), post("/v1/customers", [("metadata[plan]", "pro")])]
    doc = build_spec(exchanges(records))
    metadata = resolved(doc, media(doc, "/v1/customers")["schema"])["properties"]["metadata"]
    assert [b["type"] for b in metadata["anyOf"]] == ["object", "string"]


def test_a_plain_form_renders_as_before() -> None:
    records = [post("/login", [("user", f"u{i}"), ("remember", "true"), *([("tag", "a"), ("tag", "b")] * (i % 2))])
               for i in range(60)]
    body = media(build_spec(exchanges(records)), "/login")
    assert body == {"schema": {"type": "object", "properties": {
        "remember": {"type": "boolean"}, "tag": {"type": "array", "items": {"type": "string"}},
        "user": {"type": "string"}}, "required": ["remember", "user"]}}


def test_a_form_is_never_made_nullable_by_a_json_null_beside_it() -> None:
    records = [post("/v1/customers", [("email", "a@example.com"), ("address[city]", "Oslo")],
                    answer={"email": None, "address": {"city": None}}) for _ in range(3)]
    doc = build_spec(exchanges(records))
    schema = resolved(doc, media(doc, "/v1/customers")["schema"])
    assert "nullable" not in schema["properties"]["email"]
    assert "nullable" not in schema["properties"]["address"]["properties"]["city"]


def test_indices_collapse_in_the_fold_so_record_order_does_not_matter() -> None:
    """Indexed names beyond the cap on names (rules.MAX_PARAMS) filled it before the collapse: which
    were evicted depended on the order of the records."""
    rng = random.Random(7)
    records = []
    for i in range(60):
        fields = [("currency", "usd")]
        for k in range(rng.randrange(1, rules.MAX_PARAMS)):
            fields += [(f"lines[{k}][amount]", str(rng.randrange(500))), (f"lines[{k}][sku]", f"sku_{i}_{k}")]
        records.append(post("/v1/invoices", fields))
    forward = dumps(build_spec(exchanges(records)))
    assert forward == dumps(build_spec(exchanges(records[::-1])))
    assert b"x-specbuild-more-form-fields" not in forward and b'"sku"' in forward


# -- check --------------------------------------------------------------------------------------------
def test_check_reads_a_form_nested_and_typed_and_finds_nothing_in_the_traffic_it_was_learned_from() -> None:
    traffic = exchanges(charges(60, seed=3))
    doc = build_spec(traffic)
    assert drift_check.check(doc, traffic, explain=BodyValidator) == []


def test_check_reports_a_nested_form_value_of_the_wrong_type_where_it_is() -> None:
    doc = build_spec(exchanges(charges()))
    bad = exchanges([post("/v1/charges", [("amount", "5"), ("shipping[name]", "ann"), ("items[0][price]", "p"),
                                          ("items[0][quantity]", "many"), ("metadata[x]", "y")])])
    (finding,) = drift_check.check(doc, bad, explain=BodyValidator)
    assert (finding.kind, finding.example.pointer) == ("request-type-mismatch", "items[0].quantity")


def test_a_python_boolean_s_text_reads_as_the_boolean_the_spec_learned() -> None:
    assert form_value({"ok": ["True"], "no": ["False"], "n": ["TRUE"]}, {"type": "object", "properties": {
        "ok": {"type": "boolean"}, "no": {"type": "boolean"}, "n": {"type": "boolean"}}}) == {
        "ok": True, "no": False, "n": "TRUE"}


def test_form_values_are_typed_by_the_schema_at_their_place() -> None:
    schema = {"type": "object", "properties": {
        "n": {"type": "integer"}, "ok": {"type": "boolean"}, "tags": {"type": "array", "items": {"type": "string"}},
        "items": {"type": "array", "items": {"$ref": "#/$defs/d0"}},
        "meta": {"anyOf": [{"type": "object", "additionalProperties": {"type": "number"}}, {"type": "string"}]}},
        "$defs": {"d0": {"type": "object", "properties": {"price": {"type": "integer"}}}}}
    form = {"n": ["4"], "ok": ["true"], "tags": ["solo"], "items[1][price]": ["7"], "items[0][price]": ["x"],
            "meta[rate]": ["0.5"], "free[a][]": ["1", "2"], "plain": ["a", "b"]}
    assert form_value(form, schema) == {
        "n": 4, "ok": True, "tags": ["solo"], "items": [{"price": "x"}, {"price": 7}], "meta": {"rate": 0.5},
        "free": {"a": ["1", "2"]}, "plain": ["a", "b"]}


# -- engines ------------------------------------------------------------------------------------------
@pytest.mark.skipif(not native.AVAILABLE, reason="specbuild._native is not built here")
def test_the_native_fold_collapses_form_keys_as_the_python_fold_does() -> None:
    lines = [(orjson.dumps(r), "x") for r in charges(80, seed=5)]
    pure, fast = SpecBuilder(accelerated=False), SpecBuilder(accelerated=True)
    Fold(pure).feed(lines)
    Fold(fast).feed(lines)
    assert dumps(build_document(fast)) == dumps(build_document(pure))
    assert b"items[]" not in dumps(build_document(fast))


def form_fields(builder: SpecBuilder) -> dict[str, tuple[int, bool, int]]:
    """Every form field the builder folded: its key, the bodies it was in, repeated, values."""
    out = {}
    for op in builder.operations.values():
        op.settle()
        for body in op.request.by_media.values():
            out.update({k: (v.present, v.repeated, v.values.count) for k, v in (body.form or {}).items()})
    return out


# names of the base[a][b] shape, and some not of it: an index ([], [0], [12]), a key, a non-ASCII digit, a bracket
SEGMENTS = st.sampled_from(["[]", "[0]", "[12]", "[07]", "[1234567890]", "[x]", "[٣]", "[", "]", "[[0]]", "y"])
NAMES = st.builds(lambda base, rest: base + "".join(rest), st.sampled_from(["a", "b0", "٣", "", "0"]),
                  st.lists(SEGMENTS, max_size=4))


@pytest.mark.skipif(not native.AVAILABLE, reason="specbuild._native is not built here")
@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(NAMES, min_size=1, max_size=6), min_size=1, max_size=4))
def test_any_name_folds_under_the_same_key_natively(bodies: list[list[str]]) -> None:
    lines = [(orjson.dumps(post("/f", [(name, "1") for name in names])), "x") for names in bodies]
    decode_natively = native.fields_decoder()
    assert decode_natively is not None
    assert all(type(decode_natively(line, 1 << 20)[6].value) is native.FORM_TYPE  # type: ignore[index]
               for line, _ in lines)  # the Rust fold's, not a dict the Python fold reads
    pure, fast = SpecBuilder(accelerated=False), SpecBuilder(accelerated=True)
    Fold(pure).feed(lines)
    Fold(fast).feed(lines)
    assert form_fields(fast) == form_fields(pure)
    assert set(form_fields(pure)) == {form_key(name) for names in bodies for name in names}


# -- query strings ------------------------------------------------------------------------------------
def get(path: str, query: list[tuple[str, str]], status: int = 200) -> dict[str, Any]:
    """A record GETting ``path`` with ``query`` (a name may come twice)."""
    grouped: dict[str, list[str]] = {}
    for name, value in query:
        grouped.setdefault(name, []).append(value)
    return {"request": {"method": "GET", "protocol": "https", "host": "api.example.com", "pathname": path,
                        "query": {k: v if len(v) > 1 else v[0] for k, v in grouped.items()}, "headers": {}},
            "response": {"statusCode": status, "headers": {"content-type": "application/json"}, "body": "[]"}}


def articles(n: int = 40, seed: int = 5) -> list[dict[str, Any]]:
    """Strapi-like list calls, read by ``qs``: filters on fields and operators, populate, sort, pagination."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        query = [("pagination[page]", str(i % 7 + 1)), ("pagination[pageSize]", rng.choice(["10", "25"]))]
        if i % 2:
            query.append(("filters[title][$containsi]", rng.choice(["rust", "tea", "jazz"])))
        if i % 3 == 0:
            query += [("filters[$or][0][featured][$eq]", "true"), ("filters[$or][1][kind][$eq]", "news")]
        if i % 4 == 0:
            query += [("sort[0]", "title:asc"), ("sort[1]", "id:desc")]
        query += [("populate", "*")] if i % 5 == 0 else [("populate[author][fields][0]", "name")] if i % 5 == 1 else []
        query += [("expand[]", "author"), ("expand[]", "cover")] if i % 6 == 0 else []
        query += [("locale", rng.choice(["en", "fr"]))]
        out.append(get("/api/articles", query))
    return out


def query_params(doc: dict[str, Any], path: str) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in doc["paths"][path]["get"]["parameters"] if p["in"] == "query"}


def test_bracket_query_names_are_one_deep_object_parameter_each() -> None:
    params = query_params(build_spec(exchanges(articles())), "/api/articles")
    # expand[] alone is PHP's list, spelled as OpenAPI spells it (a form parameter named expand[])
    assert sorted(params) == ["expand[]", "filters", "locale", "pagination", "populate", "sort"]
    for name in ("filters", "pagination", "populate", "sort"):
        assert (params[name]["style"], params[name]["explode"]) == ("deepObject", True)
    assert params["expand[]"]["schema"]["type"] == "array" and params["expand[]"]["style"] == "form"
    filters = params["filters"]["schema"]
    assert sorted(filters["properties"]) == ["$or", "title"]
    assert filters["properties"]["$or"]["type"] == "array"
    assert sorted(filters["properties"]["$or"]["items"]["properties"]) == ["featured", "kind"]
    assert filters["properties"]["$or"]["items"]["properties"]["featured"]["properties"]["$eq"]["type"] == "boolean"
    assert params["sort"]["schema"]["type"] == "array" and params["sort"]["schema"]["items"]["type"] == "string"
    # populate=* beside populate[author][fields][0]=name: either, as a form's name sent both ways
    assert sorted(b["type"] for b in params["populate"]["schema"]["anyOf"]) == ["object", "string"]


def test_a_deep_object_parameter_is_optional_as_every_query_parameter() -> None:
    params = query_params(build_spec(exchanges(articles())), "/api/articles")
    # pagination[page] in all 40 calls, with 7 values: a client's habit, no promise (render._required)
    assert params["pagination"]["required"] is False and "required" not in params["pagination"]["schema"]
    assert params["filters"]["required"] is False and "required" not in params["filters"]["schema"]


@pytest.mark.parametrize("depth", [200, 3000])
def test_a_name_bracketed_deeper_than_any_client_nests_is_a_plain_name(depth: int) -> None:
    """One such record made ``build`` fail (RecursionError walking the tree its name spells)."""
    name = "g" + "[a]" * depth
    params = query_params(build_spec(exchanges([get("/api/x", [(name, "v"), ("h[b]", "1")])])), "/api/x")
    assert sorted(params) == sorted([name, "h"])
    form = build_spec(exchanges([post("/f", [(name, "v"), ("h[b]", "1")])]))
    assert name in media(form, "/f")["schema"]["properties"]


def test_a_deep_tree_s_counts_are_walked_once() -> None:
    """seen() and fields() at every level of a 32-deep name walked the subtree below each time."""
    calls = 0
    real = forms.Field._counts

    def counted(self: forms.Field) -> tuple[int, int, int]:
        nonlocal calls
        calls += 1
        return real(self)

    group = ParamMap()
    for i in range(20):
        state = group[f"g[k{i}]" + "[a]" * 30] = ParamState()
        state.present = 1
        state.values.add("v")
    root = forms.tree(group)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(forms.Field, "_counts", counted)
        forms._Render("3.0", True).node(root.props["g"], "g", 1, 1, True)
    assert calls < 20 * 32 * 4


def test_check_reads_a_deep_object_query_into_the_object_it_spells() -> None:
    doc = build_spec(exchanges(articles()))
    assert drift_check.check(doc, exchanges(articles(60, seed=9)), explain=BodyValidator) == []
    tomorrow = exchanges([get("/api/articles", [("pagination[page]", "2"), ("pagination[pageSize]", "10"),
                                                ("locale", "en"), ("filters[venue][$eq]", "x"),
                                                ("filters[title][$startsWith]", "a"), ("sort[2]", "kind")])])
    assert drift_check.check(doc, tomorrow, explain=BodyValidator) == []
    wrong = exchanges([get("/api/articles", [("pagination[page]", "two"), ("pagination[pageSize]", "10"),
                                             ("locale", "en"), ("filters[title][$containsi]", "tea")])])
    (finding,) = drift_check.check(doc, wrong, explain=BodyValidator)
    assert (finding.kind, finding.subjects) == ("parameter-violation", ("query pagination",))


def test_check_reads_a_written_deep_object_parameter_through_its_refs() -> None:
    """A person's spec: ``page`` typed through a $ref, the object open; base read each value as the object."""
    doc = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {"/api/articles": {"get": {
        "parameters": [{"name": "pagination", "in": "query", "style": "deepObject", "explode": True,
                        "schema": {"$ref": "#/components/schemas/Page"}}],
        "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "array"}}}}}}}},
        "components": {"schemas": {"Page": {"type": "object", "properties": {"page": {"type": "integer"}}}}}}
    fine = exchanges([get("/api/articles", [("pagination[page]", "2"), ("pagination[pageSize]", "5")])])
    assert drift_check.check(doc, fine, explain=BodyValidator) == []
    (finding,) = drift_check.check(doc, exchanges([get("/api/articles", [("pagination[page]", "x")])]),
                                   explain=BodyValidator)
    assert (finding.kind, finding.subjects) == ("parameter-violation", ("query pagination",))


# names under a deepObject base, well and ill formed: an unbalanced bracket, a key after one, a huge index
ODD = st.sampled_from(["[a]", "[b]", "[0]", "[]", "[", "]", "]]", "c", "[" + "9" * 5000 + "]", "[$eq]"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(ODD, min_size=1, max_size=4).map(lambda rest: "filter" + "".join(rest)),
                min_size=1, max_size=4))
def test_no_query_name_under_a_deep_object_ends_a_check_run(names: list[str]) -> None:
    """``filter[a=1&filter[b]=x`` (one base, two keys read), ``filter[a]c``, ``sort[<5000 digits>]`` raised in
    ``check``: a name not of the object's shape is an undocumented parameter, a long index a key."""
    doc = build_spec(exchanges([get("/x", [("filter[a]", str(i)), ("filter[b]", f"v{i % 3}")]) for i in range(30)]))
    findings = drift_check.check(doc, exchanges([get("/x", [(name, "1") for name in names])]), explain=BodyValidator)
    undocumented = {s for f in findings if f.kind == "undocumented-query-parameter" for s in f.subjects}
    assert undocumented == {name for name in names if form_name(name)[0] != "filter" or len(form_name(name)) == 1}


@pytest.mark.parametrize("plain", [["1"], ["v0", "v1", "v2"], ["true"], ["a", "b"]])
def test_a_spec_accepts_the_plain_and_bracketed_values_it_was_learned_from(plain: list[str]) -> None:
    """``a=1&a[b]=2`` learns ``a: anyOf[object, integer]``; check read the plain value by a top-level
    ``type`` only (none there): text, a parameter-violation on the very traffic (``populate=a&populate=b``
    beside ``populate[x]``: an array branch, the values one list)."""
    records = []
    for i in range(40):
        values = [plain[i % len(plain)]] if len(plain) != 2 else plain
        records.append(get("/x", [*(("a", v) for v in values), ("a[b]", str(i))]))
    doc = build_spec(exchanges(records))
    assert "anyOf" in query_params(doc, "/x")["a"]["schema"]
    assert drift_check.check(doc, exchanges(records), explain=BodyValidator) == []


def test_a_required_list_named_with_brackets_is_present_by_its_own_name() -> None:
    """``ids[]`` (style form) learned required was reported missing on every call: check looked for ``ids``."""
    records = [get("/x", [("ids[]", str(i)), ("ids[]", str(i + 1))]) for i in range(30)]
    doc = build_spec(exchanges(records))
    doc["paths"]["/x"]["get"]["parameters"][0]["required"] = True  # as a person would write it
    assert drift_check.check(doc, exchanges(records), explain=BodyValidator) == []


def test_a_field_of_a_deep_object_sent_with_one_value_only_is_not_required() -> None:
    """The query rule (one value in every call is a client's default) held for plain names only: 30 calls
    of ``page[number]=1..5&page[format]=json`` made ``format`` required, ``page_format`` was not."""
    records = [get("/x", [("page[number]", str(i % 5 + 1)), ("page[format]", "json")]) for i in range(30)]
    page = query_params(build_spec(exchanges(records)), "/x")["page"]
    assert page["required"] is False and "required" not in page["schema"]
    assert drift_check.check(build_spec(exchanges(records)), exchanges([get("/x", [("page[number]", "2")])]),
                             explain=BodyValidator) == []


def test_a_deep_object_violation_names_the_field_and_its_value_not_the_object() -> None:
    records = [get("/x", [("user[age]", str(20 + i)), ("user[password]", f"pw{i}"), ("user[n]", "a")])
               for i in range(30)]
    doc = build_spec(exchanges(records))
    wrong = exchanges([get("/x", [("user[age]", "old"), ("user[password]", "hunter2"), ("user[n]", "a")])])
    (finding,) = drift_check.check(doc, wrong, explain=BodyValidator)
    assert (finding.example.pointer, finding.example.expected, finding.example.seen) == ("user[age]", "integer",
                                                                                      '"old"')
    secret = exchanges([get("/x", [("user[age]", "1"), ("user[password]", "7"), ("user[n]", "a")])])
    doc["paths"]["/x"]["get"]["parameters"][0]["schema"]["properties"]["password"] = {"type": "boolean"}
    (finding,) = drift_check.check(doc, secret, explain=BodyValidator)
    assert (finding.example.pointer, finding.example.seen) == ("user[password]", "(redacted)")


def test_a_deep_object_s_verdict_is_remembered_as_a_plain_value_s(monkeypatch: pytest.MonkeyPatch) -> None:
    records = [get("/x", [("page[number]", str(i % 5 + 1)), ("page[size]", "25")]) for i in range(30)]
    doc = build_spec(exchanges(records))
    calls = 0
    real = drift_check.deep_value

    def counted(form: Any, schema: Any) -> Any:
        nonlocal calls
        calls += 1
        return real(form, schema)

    monkeypatch.setattr(drift_check, "deep_value", counted)
    assert drift_check.check(doc, exchanges(records * 3), explain=BodyValidator) == []
    assert calls == 5  # one per distinct query


@pytest.mark.parametrize(("query", "value"), [
    ([("sort[0]", "a"), ("sort[]", "b")], ["a", "b"]),        # qs, PHP: [] appends after the last position
    ([("sort[]", "a"), ("sort[]", "b")], ["a", "b"]),
    ([("sort[7]", "a"), ("sort[07]", "b")], {"7": "a", "07": "b"}),  # 07 is a key to qs, not position 7
])
def test_positions_do_not_collide(query: list[tuple[str, str]], value: Any) -> None:
    form: dict[str, list[str]] = {}
    for name, text in query:
        form.setdefault(name, []).append(text)
    assert deep_value(form, {}) == value


def test_one_value_of_a_union_with_a_list_is_read_alone_too() -> None:
    """Strapi's ``populate``: ``*`` alone, ``populate[0]=author&populate[1]=categories`` or
    ``populate[author][fields][0]``: ``anyOf`` a list, an object and a string. ``populate=*`` read only as
    the list ``["*"]`` broke the enum items."""
    records = []
    for i in range(40):
        query = [[("populate", "*")], [("populate[0]", "author"), ("populate[1]", "categories")],
                 [("populate[author][fields][0]", "name")]][i % 3]
        records.append(get("/x", [*query, ("page", str(i))]))
    doc = build_spec(exchanges(records))
    branches = query_params(doc, "/x")["populate"]["schema"]["anyOf"]
    assert sorted(b["type"] for b in branches) == ["array", "object", "string"]
    assert drift_check.check(doc, exchanges(records), explain=BodyValidator) == []


MIXED = [[("a[0]", "x"), ("a[1]", "y")], [("a[b]", "v"), ("a[c]", "2")], [("a", "plain")], [("a[]", "l"), ("a[]", "m")],
         [("a", "")], [("a[]", "x"), ("a[b]", "y")], [("a[]", ""), ("a[0]", "true")], [("a[1]", "x"), ("a[1]", "y")],
         [("a[][c]", "1"), ("a[0][c]", "x")], [("a[b]", "1"), ("a[b]", "")], [("a[b][0]", "1")],
         [("a[b]", "1"), ("a", ""), ("a", "")], [("a", "true")]]


@pytest.mark.parametrize("engine", [True, False], ids=["native", "pure"])
def test_a_form_mixing_positions_keys_and_plain_names_passes_check_against_its_own_spec(engine: bool) -> None:
    """``a[0]``, ``a[b]``, ``a`` and ``a[]`` in and across bodies: check read them otherwise than the learner
    (a lone ``a=x`` as a list where the union has an array, ``a[]`` and ``a[0]`` sent at one position as a
    nested list, positions beside keys as keys the object lacks): request-type-mismatch on its own traffic."""
    records = [post("/f", fields) for fields in MIXED for _ in range(3)]
    builder = SpecBuilder(accelerated=engine and native.AVAILABLE)
    Fold(builder).feed([(orjson.dumps(r), "x") for r in records])
    assert drift_check.check(build_document(builder), exchanges(records), explain=BodyValidator) == []


NAMES = ["a", "a[]", "a[0]", "a[1]", "a[b]", "a[0][c]", "a[b][0]", "a[b][c]", "a[][c]"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(["1", "x", "true", "2.5", ""])),
                         min_size=1, max_size=3), min_size=1, max_size=8))
@example([[("a", "1"), ("a", "1")], [("a[]", "1"), ("a[]", "x")]])  # a[]'s texts typed as one list, by one branch
def test_any_form_of_bracket_names_passes_check_against_its_own_spec(bodies: list[list[tuple[str, str]]]) -> None:
    records = [post("/f", fields) for fields in bodies]
    assert drift_check.check(build_spec(exchanges(records)), exchanges(records), explain=BodyValidator) == []
