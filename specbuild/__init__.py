"""specbuild: learn an OpenAPI 3 document from recorded HTTP traffic, and catch API drift in CI.

>>> from specbuild import SpecBuilder, build_spec, decode
>>> doc = build_spec(decode(line) for line in open("recordings.jsonl", "rb"))
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from specbuild._version import __version__
from specbuild.errors import RecordError, SpecbuildError
from specbuild.learn.builder import SpecBuilder
from specbuild.learn.render import RenderOptions, render
from specbuild.records import Body, Exchange, decode


def build_spec(exchanges: Iterable[Exchange], options: RenderOptions | None = None,
               hints: tuple[str, ...] = ()) -> dict[str, Any]:
    """Learn a validated OpenAPI document from exchanges (the pure core of ``specbuild build``)."""
    from specbuild.io.validate import check_built_spec

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
