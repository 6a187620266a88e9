"""Recordings in any form specbuild reads, told apart by their content (never only by their name):

- **JSONL**: one HTTP Types record a line; streamed, a bad line is one skipped record;
- **HAR 1.2** (``{"log": {"entries": [...]}}``, see :mod:`specbuild.io.har`);
- **a JSON array of records** (``[{"request": ..., "response": ...}, ...]``) or one record on its own.

Each is read plain or gzip, from a file or stdin. A HAR or an array is one JSON document, parsed
whole: up to :data:`MAX_DOCUMENT_BYTES` (decompressed). Anything else (an OpenAPI document given by
mistake, a CSV) is an :class:`InputError` with a hint, before a record is read.

``read_records(path)`` yields ``(raw, origin)``: ``rec.jsonl:42``, ``session.har#/log/entries/3``,
``records.json#/3``.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from typing import Any, Final

import orjson

from specbuild.errors import InputError
from specbuild.io.har import har_records
from specbuild.io.jsonl import iter_lines

MAX_DOCUMENT_BYTES: Final = 512 << 20  # a HAR or an array of records is parsed whole, in memory
SNIFF_LINES: Final = 8  # lines of a file that starts with no JSON looked at for one record
Line = tuple[bytes, str]


def read_records(path: str, source: Iterable[Line] | None = None) -> Iterator[tuple[bytes, str]]:
    """The records of ``path`` ('-': stdin) in whichever form it holds them (see the module's doc);
    ``source``: its lines as already opened (an ``io.jsonl.Lines``, which says how far it has read)."""
    lines = iter(source) if source is not None else iter_lines(path)
    first = next(lines, None)
    if first is None:
        return
    value = _json(first[0])
    if value is not _NOT_JSON:
        yield from _from_first_value(value, first, lines)
        return
    if first[0].lstrip()[:1] in (b"{", b"["):
        yield from _from_document_start(first, lines)
        return
    head = [first, *islice(lines, SNIFF_LINES - 1)]
    if not any(isinstance(_json(raw), dict) for raw, _ in head):
        raise _not_recordings(first, head)
    yield from chain(head, lines)  # JSONL that starts with a bad line or two


def is_jsonl(path: str) -> bool:
    """Whether ``path`` is JSONL (cut into byte ranges by a sharded replay), by its first line."""
    first = next(iter_lines(path), None)
    value = _json(first[0]) if first else None
    return isinstance(value, dict) and not _document_kind(value)


_NOT_JSON: Final = object()


def _json(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return _NOT_JSON


def _name(origin: str) -> str:
    return origin.rsplit(":", 1)[0]


def _document_kind(value: dict[str, Any]) -> str:
    """``har`` or ``openapi`` for a JSON object that is one of those, else ``""`` (a record, or not)."""
    if isinstance(value.get("log"), dict):
        return "har"
    if "openapi" in value or "swagger" in value:
        return "openapi"
    return ""


def _from_first_value(value: Any, first: Line, lines: Iterator[Line]) -> Iterator[Line]:
    """The first line is JSON: an object is a record (JSONL) unless it is a whole HAR or OpenAPI
    document on one line; an array alone in the file is the array of records."""
    if isinstance(value, dict) and _document_kind(value):
        yield from _document(value, _name(first[1]))
        return
    if isinstance(value, list):
        second = next(lines, None)
        if second is None:
            yield from _document(value, _name(first[1]))
            return
        yield from chain((first, second), lines)  # an array as a JSONL line is one bad record
        return
    yield from chain((first,), lines)


def _from_document_start(first: Line, lines: Iterator[Line]) -> Iterator[Line]:
    """The first line opens JSON it does not close: a document over many lines (a pretty-printed HAR),
    or JSONL whose first record is broken (then its second line is a record)."""
    second = next(lines, None)
    if second is None and _HAR_OR_ARRAY.match(first[0]) and _cut_short(first[0]):
        raise _cut_document(first[1])
    if second is None or isinstance(_json(second[0]), dict):
        yield from chain((first,), () if second is None else (second,), lines)
        return
    buffered, size = [first, second], len(first[0]) + len(second[0])
    for line in lines:
        buffered.append(line)
        size += len(line[0])
        if size > MAX_DOCUMENT_BYTES:
            raise InputError(f"{_name(first[1])}: a JSON document over {MAX_DOCUMENT_BYTES >> 20} MiB is not read "
                             "(a HAR or an array of records is parsed whole)",
                             hint="convert it to JSONL, one record a line, which is streamed")
    whole = b"".join(raw for raw, _ in buffered)
    value = _json(whole)
    if value is _NOT_JSON:
        if _cut_short(whole):
            raise _cut_document(buffered[-1][1])
        yield from buffered  # not one document: lines, bad ones skipped and counted
        return
    yield from _document(value, _name(first[1]))


# a line that opens a HAR (``{"log": ...``) or an array of records: a JSONL record never starts so
_HAR_OR_ARRAY: Final = re.compile(rb'\s*(\[|\{\s*"log"\s*:)')


def _cut_short(document: bytes) -> bool:
    """Whether ``document`` is JSON that stops before its end (a file cut short), not JSON broken inside."""
    try:
        orjson.loads(document)
    except orjson.JSONDecodeError as exc:
        return exc.pos >= len(document.rstrip())
    return False


def _cut_document(last: str) -> InputError:
    """``last``: the origin of the document's last line (``session.har:57``)."""
    # one JSON document has no records to keep before the cut (unlike JSONL, which loses its last line)
    name, _, line = last.rpartition(":")
    return InputError(f"{name} ends in the middle of its JSON document (a HAR or an array of records), at line "
                      f"{line}: the file was cut short",
                      hint="give the whole file; a recording that may be cut is better kept as JSONL")


def _document(value: Any, name: str) -> Iterator[Line]:
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield orjson.dumps(item), f"{name}#/{i}"
        return
    kind = _document_kind(value) if isinstance(value, dict) else ""
    if kind == "har":
        yield from har_records(value, name)
        return
    if kind == "openapi":
        raise InputError(f"{name} is an OpenAPI document, not recordings",
                         hint="give recordings with -i (JSONL, HAR or a JSON array of HTTP Types records); "
                              "a spec goes to --spec (build) or check --spec")
    if isinstance(value, dict) and "request" in value:
        yield orjson.dumps(value), f"{name}#"  # one record, pretty-printed
        return
    raise InputError(f"{name} is one JSON document, but neither HAR nor an array of records",
                     hint="specbuild reads JSONL or a JSON array of HTTP Types records, or HAR 1.2")


def _not_recordings(first: Line, head: list[Line]) -> InputError:
    name = _name(first[1])
    raw = b"".join(raw for raw, _ in head)
    text = raw.decode("utf-8", "replace")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"{\x00\"\x00" in raw or b"\x00{\x00\"" in raw:
        # what PowerShell's `>` and Out-File write by default: the same records, in another encoding
        what, hint = "UTF-16 text", "specbuild reads UTF-8: convert it first (iconv -f UTF-16 -t UTF-8)"
    elif b"\x00" in raw or text.count("\ufffd") * 10 > len(text):
        what, hint = "binary data", "-i takes HTTP Types records (JSONL or a JSON array) or HAR 1.2"
    elif any(line.startswith(("openapi:", "swagger:")) for line in text.splitlines()):
        what, hint = "a YAML OpenAPI document", "a spec goes to --spec (build) or check --spec; -i takes recordings"
    elif all("," in line for line in text.splitlines() if line.strip()):
        what, hint = "CSV", "-i takes HTTP Types records (JSONL or a JSON array) or HAR 1.2"
    else:
        what, hint = "text", "-i takes HTTP Types records (JSONL or a JSON array) or HAR 1.2"
    return InputError(f"{name} is {what}, not recordings: none of its first {len(head)} line(s) is a JSON record",
                      hint=hint)
