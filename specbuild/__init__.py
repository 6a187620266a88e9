"""specbuild: learn an OpenAPI 3 document from recorded HTTP traffic, and catch API drift in CI.

>>> from specbuild import SpecBuilder, build_spec, decode
>>> doc = build_spec(decode(line) for line in open("recordings.jsonl", "rb"))
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Final

from specbuild._version import __version__
from specbuild.errors import RecordError, SpecbuildError

if TYPE_CHECKING:
    from specbuild.learn.builder import SpecBuilder
    from specbuild.learn.render import RenderOptions, render
    from specbuild.records import Body, Exchange, decode

# The learner is imported when first asked for, not with the package: every ``specbuild.*`` import loads
# this module first, and the command's entry point (specbuild.cli.run) must be quick to reach (a Ctrl-C
# while the program loads is then its to handle).
_LAZY: Final = {"SpecBuilder": "specbuild.learn.builder", "RenderOptions": "specbuild.learn.render",
                "render": "specbuild.learn.render", "Body": "specbuild.records", "Exchange": "specbuild.records",
                "decode": "specbuild.records"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # asked once
    return value


def build_spec(exchanges: Iterable[Exchange], options: RenderOptions | None = None,
               hints: tuple[str, ...] = ()) -> dict[str, Any]:
    """Learn a validated OpenAPI document from exchanges (the pure core of ``specbuild build``)."""
    from specbuild.io.validate import check_built_spec
    from specbuild.learn.builder import SpecBuilder
    from specbuild.learn.render import render

    doc = render(SpecBuilder(hints=hints).add_all(exchanges), options)
    check_built_spec(doc)
    return doc


__all__ = [
    "Body",
    "Exchange",
    "RecordError",
    "RenderOptions",
    "SpecBuilder",
    "SpecbuildError",
    "__version__",
    "build_spec",
    "decode",
    "render",
]
