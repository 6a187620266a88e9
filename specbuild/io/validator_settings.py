"""Stand-ins for the ``settings`` modules of openapi-spec-validator and openapi-schema-validator, put in
``sys.modules`` before either library is imported (io.validate does it).

Each library reads a few settings from environment variables through pydantic-settings, whose import
(pydantic with it) is half of the validator's: ~0.08 s of CPU in every run that validates, for variables
almost nobody sets. A stand-in answers what the library reads with its defaults, and only where that is
exactly what the real module would answer:

- no ``OPENAPI_SPEC_VALIDATOR_*`` or ``OPENAPI_SCHEMA_VALIDATOR_*`` variable is set (in any case: the
  real modules read names case-insensitively) when the stand-ins are installed; else the real modules
  load and read them;
- the library's ``settings.py`` is byte for byte the one the stand-in was written from (its SHA-256
  below); another version loads its own module;
- a settings object made with arguments, or once such a variable has been set since, is the real
  module's (loaded then, from the library's file).

A name the stand-in does not have (a future version's module reading a new setting) raises an
AttributeError naming this module, not a default: tests/test_validate_settings.py holds the stand-ins
to the real modules' names, fields, defaults and verdicts.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import sys
import threading
import types
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Final

PREFIXES: Final = ("OPENAPI_SPEC_VALIDATOR_", "OPENAPI_SCHEMA_VALIDATOR_")

# the settings.py each stand-in mirrors (openapi-spec-validator 0.9.0, openapi-schema-validator 0.9.0)
MIRRORED: Final = {
    "openapi_spec_validator": "4dcf2cefa5240b47eacb82aeaef02750c89514a5d716ed0e818fb8db70dd0f4a",
    "openapi_schema_validator": "73d226357441df93e0515524fd9d7b84a7c07ee8d096efd9ba95c73ae4f0dc78",
}

_lock = threading.Lock()


def configured() -> bool:
    """Whether a variable the libraries' settings read is set (pydantic-settings ignores the case)."""
    return any(name.upper().startswith(PREFIXES) for name in os.environ)


def install() -> bool:
    """Put both stand-ins in ``sys.modules`` when neither settings module is loaded, no variable of theirs
    is set and both libraries' settings.py are the mirrored ones; True when the stand-ins are in use."""
    with _lock:  # a background preload and a first validation may both get here
        names = [f"{package}.settings" for package in MIRRORED]
        if all(isinstance(sys.modules.get(name), _StandIn) for name in names):
            return True
        if any(name in sys.modules for name in names) or configured():
            return False
        if not all(_source_digest(package) == digest for package, digest in MIRRORED.items()):
            return False
        sys.modules[names[0]] = _spec_settings()
        sys.modules[names[1]] = _schema_settings()
        return True


def _source_digest(package: str) -> str | None:
    """SHA-256 of ``package``'s settings.py, found without importing the package (None: not there)."""
    found = importlib.util.find_spec(package)
    for folder in (found.submodule_search_locations or ()) if found else ():
        try:
            return hashlib.sha256((Path(folder) / "settings.py").read_bytes()).hexdigest()
        except OSError:
            return None
    return None


class _StandIn(types.ModuleType):
    """A settings module whose missing names fail loudly (``from ... import`` names this file)."""

    def __init__(self, name: str) -> None:
        super().__init__(name, "specbuild's stand-in (specbuild.io.validator_settings)")
        self.__file__ = __file__

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"specbuild's stand-in for {self.__name__} has no {name!r}: this version of the "
                             f"library reads something specbuild.io.validator_settings does not mirror")


class _Settings:
    """A settings object of the defaults; made with arguments, or with a variable set, the real one."""

    __slots__ = ()
    REAL: tuple[str, str] = ("", "")  # (package, class name) of the real settings class

    def __new__(cls, **given: Any) -> Any:
        if given or configured():
            return getattr(_real_module(cls.REAL[0]), cls.REAL[1])(**given)
        return super().__new__(cls)

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"specbuild's stand-in for {self.REAL[1]} has no {name!r}: this version of the "
                             f"library reads a setting specbuild.io.validator_settings does not mirror")


@cache
def _real_module(package: str) -> types.ModuleType:
    """The library's own settings module, loaded from its file under a private name (pydantic with it)."""
    found = importlib.util.find_spec(package)
    folder = next(iter(found.submodule_search_locations or ())) if found else None
    if folder is None:
        raise ImportError(f"{package} is not installed")
    name = f"specbuild.io._real_{package}_settings"
    spec = importlib.util.spec_from_file_location(name, Path(folder) / "settings.py")
    if spec is None or spec.loader is None:
        raise ImportError(f"{package}/settings.py cannot be loaded")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # pydantic resolves a model's annotations through its module
    spec.loader.exec_module(module)
    return module


def _spec_settings() -> _StandIn:
    """openapi_spec_validator.settings: its constants, its settings class and its two getters."""
    module = _StandIn("openapi_spec_validator.settings")

    class OpenAPISpecValidatorSettings(_Settings):
        __slots__ = ()
        REAL = ("openapi_spec_validator", "OpenAPISpecValidatorSettings")
        resolved_cache_maxsize: Final = 128
        schema_validator_backend: Final = "auto"

    def get_resolved_cache_maxsize() -> int:
        return int(OpenAPISpecValidatorSettings().resolved_cache_maxsize)

    def get_schema_validator_backend() -> str:
        return str(OpenAPISpecValidatorSettings().schema_validator_backend)

    _fill(module, OpenAPISpecValidatorSettings, get_resolved_cache_maxsize, get_schema_validator_backend,
          ENV_PREFIX="OPENAPI_SPEC_VALIDATOR_", RESOLVED_CACHE_MAXSIZE_DEFAULT=128,
          SCHEMA_VALIDATOR_BACKEND_DEFAULT="auto",
          SCHEMA_VALIDATOR_BACKEND_ALLOWED={"auto", "jsonschema", "jsonschema-rs"})
    return module


def _schema_settings() -> _StandIn:
    """openapi_schema_validator.settings: its settings class, its cached getter and the cache's reset."""
    module = _StandIn("openapi_schema_validator.settings")

    class OpenAPISchemaValidatorSettings(_Settings):
        __slots__ = ()
        REAL = ("openapi_schema_validator", "OpenAPISchemaValidatorSettings")
        compiled_validator_cache_max_size: Final = 128

    @lru_cache(maxsize=1)  # as the real one: a variable set later is read after reset_settings_cache()
    def get_settings() -> Any:
        return OpenAPISchemaValidatorSettings()

    def reset_settings_cache() -> None:
        get_settings.cache_clear()

    _fill(module, OpenAPISchemaValidatorSettings, get_settings, reset_settings_cache)
    return module


def _fill(module: _StandIn, *functions: Callable[..., Any] | type, **constants: Any) -> None:
    for value in functions:
        value.__module__ = module.__name__
        value.__qualname__ = value.__name__
        setattr(module, value.__name__, value)
    for name, constant in constants.items():
        setattr(module, name, constant)
