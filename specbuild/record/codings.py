"""A body's content coding undone for its record (gzip, deflate; br with ``brotli`` installed); the only
brotli importer. At most ``limit + 1`` bytes come out: a small body that inflates to gigabytes (a
bomb) stays small, and the recorder flags what it cut.
"""

from __future__ import annotations

import zlib
from typing import Final

try:  # `br` is the one coding the standard library cannot undo (specbuild[record] brings brotli)
    import brotli
except ModuleNotFoundError:  # then a br body is flagged cut and learned by its media type only
    brotli = None

_WBITS: Final = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}


def decoded(raw: bytes, coding: str, limit: int) -> tuple[bytes, bool]:
    """``raw`` with its content coding undone, at most ``limit + 1`` bytes of it; whether it could be undone."""
    if coding == "br":
        return _brotli(raw, limit)
    wbits = _WBITS.get(coding)
    if wbits is None:
        return b"", False
    try:
        return zlib.decompressobj(wbits).decompress(raw, limit + 1), True
    except zlib.error:
        if coding == "deflate":  # some servers send raw deflate, without the zlib header
            try:
                return zlib.decompressobj(-zlib.MAX_WBITS).decompress(raw, limit + 1), True
            except zlib.error:
                pass
        return b"", False


def _brotli(raw: bytes, limit: int) -> tuple[bytes, bool]:
    if brotli is None:
        return b"", False
    try:  # the output limit is a soft one (the decoder's buffer stops growing there): cut after it
        return brotli.Decompressor().process(raw, output_buffer_limit=limit + 1)[:limit + 1], True
    except brotli.error:
        return b"", False
