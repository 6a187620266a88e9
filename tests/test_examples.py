"""specbuild.learn.examples: an example keeps to its schema where redaction put a placeholder."""

from __future__ import annotations

import json
import uuid

from specbuild.formats import fullmatcher
from specbuild.io.validate import BodyValidator
from specbuild.learn.builder import SpecBuilder
from specbuild.learn.components import inline
from specbuild.learn.examples import FORMAT_VALUES, fit
from specbuild.learn.render import RenderOptions, render
from specbuild.learn.rules import FORMAT_RULES
from tests.helpers import ex


def test_every_format_the_learner_writes_has_a_value_of_that_format() -> None:
    assert set(FORMAT_VALUES) == {name for name, _ in FORMAT_RULES}
    for name, rule in FORMAT_RULES:
        pattern, test = (rule, None) if isinstance(rule, str) else rule
        assert fullmatcher(pattern)(FORMAT_VALUES[name]), name
        assert test is None or test(FORMAT_VALUES[name]), name


def test_a_placeholder_the_schema_refuses_becomes_a_value_it_allows() -> None:
    schema = {"type": "object", "properties": {
        "auth_type": {"type": "string", "enum": ["basic", "digest"]},
        "session_id": {"type": "string", "format": "uuid", "nullable": True},
        "tokens": {"type": "array", "items": {"anyOf": [{"type": "integer"}, {"type": "string", "format": "uri"}]}},
        "owner": {"type": "object", "additionalProperties": {"type": "string", "format": "email"}},
        "password": {"type": "string"}}}
    value = {"auth_type": "REDACTED", "session_id": "REDACTED", "tokens": [1, "REDACTED"],
             "owner": {"a": "REDACTED", "b": "user@example.com"}, "password": "REDACTED", "other": "REDACTED"}
    assert fit(value, schema) == {"auth_type": "basic", "session_id": FORMAT_VALUES["uuid"],
                                  "tokens": [1, FORMAT_VALUES["uri"]],
                                  "owner": {"a": "user@example.com", "b": "user@example.com"},
                                  "password": "REDACTED", "other": "REDACTED"}
    assert BodyValidator(schema).is_valid(fit(value, schema))


def test_learned_examples_validate_against_their_schemas_and_keep_no_secret() -> None:
    rows = [ex("post", "/sessions", 201, body={"auth_type": kind, "password": f"pw-{i}"},
               resp={"auth_type": kind, "session_id": str(uuid.UUID(int=i + 7)), "author_association": "OWNER",
                     "token": f"tok-{i}"})
            for i, kind in enumerate(["basic", "digest"] * 12)]
    doc = inline(render(SpecBuilder(examples=True).add_all(rows), RenderOptions(examples=True)))
    op = doc["paths"]["/sessions"]["post"]
    medias = [op["requestBody"]["content"]["application/json"], op["responses"]["201"]["content"]["application/json"]]
    assert medias[0]["schema"]["properties"]["auth_type"]["enum"] == ["basic", "digest"]
    for media in medias:
        assert BodyValidator(media["schema"]).is_valid(media["example"]), media
    assert medias[1]["example"]["author_association"] == "OWNER"
    assert medias[1]["example"]["session_id"] == FORMAT_VALUES["uuid"]
    text = json.dumps(doc)
    assert "pw-" not in text and "tok-" not in text
