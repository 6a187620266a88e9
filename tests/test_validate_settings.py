"""The stand-ins for the validator libraries' settings modules (io.validator_settings): the real modules'
names, fields, defaults and verdicts, the real modules wherever a variable of theirs is set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from specbuild.io import validator_settings
from specbuild.io.validator_settings import _real_module, _schema_settings, _spec_settings

ROOT = Path(__file__).resolve().parent.parent
PAIRS = [("openapi_spec_validator", _spec_settings, "OpenAPISpecValidatorSettings"),
         ("openapi_schema_validator", _schema_settings, "OpenAPISchemaValidatorSettings")]


def run(code: str, **env: str) -> Any:
    """What ``code`` prints last (JSON), run in a fresh interpreter: ``env`` added, no library variable
    of the test's own environment kept, one hash seed (the library's first error may depend on it)."""
    clean = {k: v for k, v in os.environ.items() if not k.upper().startswith(validator_settings.PREFIXES)}
    env = {"PYTHONHASHSEED": "1", **env, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], env={**clean, **env},
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def defined_names(module: types.ModuleType) -> set[str]:
    """The public names ``module`` defines itself (not those it imports)."""
    return {name for name, value in vars(module).items() if not name.startswith("_")
            and not isinstance(value, types.ModuleType)
            and getattr(value, "__module__", module.__name__) == module.__name__}


@pytest.mark.parametrize(("package", "make", "cls"), PAIRS)
def test_a_stand_in_has_the_real_modules_names_fields_and_defaults(package: str, make: Any, cls: str,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    for name in os.environ:
        if name.upper().startswith(validator_settings.PREFIXES):
            monkeypatch.delenv(name)
    real, stand_in = _real_module(package), make()
    assert defined_names(real) == defined_names(stand_in)
    for name in defined_names(real):
        if not callable(getattr(real, name)):
            assert getattr(stand_in, name) == getattr(real, name), name  # the constants
    fields, made, made_real = getattr(real, cls).model_fields, getattr(stand_in, cls)(), getattr(real, cls)()
    assert {name: getattr(made, name) for name in fields} == {name: made_real.__dict__[name] for name in fields}
    assert type(made) is getattr(stand_in, cls)  # the defaults, without pydantic


def test_the_getters_answer_as_the_real_ones() -> None:
    for package, make, _ in PAIRS:
        real, stand_in = _real_module(package), make()
        for name in ("get_resolved_cache_maxsize", "get_schema_validator_backend"):
            if hasattr(real, name):
                assert getattr(stand_in, name)() == getattr(real, name)()
    schema = _schema_settings()
    assert schema.get_settings() is schema.get_settings()  # cached, as the real one
    schema.reset_settings_cache()
    assert schema.get_settings().compiled_validator_cache_max_size == 128


def test_what_a_stand_in_does_not_have_fails_loudly() -> None:
    """A future library reading a setting not mirrored gets an error naming the stand-in, never a default."""
    stand_in = _spec_settings()
    with pytest.raises(AttributeError, match=r"stand-in for openapi_spec_validator\.settings has no 'NEW'"):
        _ = stand_in.NEW
    with pytest.raises(AttributeError, match="stand-in for OpenAPISpecValidatorSettings has no 'new_setting'"):
        _ = stand_in.OpenAPISpecValidatorSettings().new_setting


def test_a_variable_set_later_or_arguments_give_the_real_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    spec, schema = _spec_settings(), _schema_settings()
    assert spec.OpenAPISpecValidatorSettings(resolved_cache_maxsize="7").resolved_cache_maxsize == 7
    monkeypatch.setenv("OPENAPI_SPEC_VALIDATOR_SCHEMA_VALIDATOR_BACKEND", "JSONSchema")
    monkeypatch.setenv("openapi_schema_validator_compiled_validator_cache_max_size", "3")  # any case, as pydantic reads
    assert spec.get_schema_validator_backend() == "jsonschema"
    assert schema.get_settings().compiled_validator_cache_max_size == 3


VERDICTS = """
import json, sys
from specbuild.io.validate import _all_problems, spec_problems
from tests.test_validate import random_doc, valid_doc
import random
rng = random.Random(3)
docs = [valid_doc(), {**valid_doc(), "info": {"title": 1}}, {"openapi": "3.1.0", "info": {}},
        *(random_doc(rng, broken=0.7, version=rng.choice(["3.0.3", "3.1.0"])) for _ in range(12))]
verdicts = [[spec_problems(doc), _all_problems(doc)] for doc in docs]
modules = sorted(name for name in sys.modules if name.split(".")[0] in ("pydantic", "pydantic_settings"))
print(json.dumps([*verdicts, type(sys.modules["openapi_spec_validator.settings"]).__name__, bool(modules)]))
"""


def test_the_stand_ins_give_the_real_modules_verdicts_and_a_variable_set_loads_the_real_ones() -> None:
    """In use with the installed libraries (a version whose settings.py differs fails here, to be mirrored
    again): no pydantic loaded, and every verdict is the one given with the real modules, which a variable
    of theirs (its default value here) makes load."""
    *with_stand_ins, kind, pydantic = run(VERDICTS)
    assert (kind, pydantic) == ("_StandIn", False)
    *with_real, kind, pydantic = run(VERDICTS, OPENAPI_SPEC_VALIDATOR_RESOLVED_CACHE_MAXSIZE="128")
    assert (kind, pydantic) == ("module", True)
    assert with_stand_ins == with_real
    assert sum(bool(problems) for problems, _ in with_real) >= 5


def test_another_version_of_a_settings_module_loads_the_real_one() -> None:
    code = ("import json, sys\nfrom specbuild.io import validator_settings as vs\n"
            "vs.MIRRORED['openapi_schema_validator'] = '0' * 64\n"
            "from specbuild.io.validate import spec_problems\nspec_problems({'openapi': '3.0.3'})\n"
            "print(json.dumps([type(sys.modules[n + '.settings']).__name__ for n in vs.MIRRORED]))")
    assert run(code) == ["module", "module"]
