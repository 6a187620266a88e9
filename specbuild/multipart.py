"""multipart/form-data bodies (RFC 7578) read as the fields of a form; pure.

An upload (Pulp's content, Ghost's images, Strapi's ``/api/upload``, devpi's release files) is a
multipart body whose parts are what the server reads: ``relative_path``, ``purpose``, the ``file``.
:func:`fields` gives its parts as ``records.decode`` gives an urlencoded form's fields, a name's values
in order, so the same fold and tree (learn/forms.py) and the same checks (drift/forms.py) read both:

- a recorder keeps such a body base64 when it carries a file's bytes (specbuild's recorder does, with no
  marker: record/capture.py), or as text: text that does not start with the boundary's dashes is
  base64 undone first;
- the boundary is the Content-Type's ``boundary=``, else the body's first line (a recorder that lost
  the header's parameters);
- a part with a ``filename``, or of a content type that is not text, or whose bytes are not UTF-8
  text, is a file: its value is :data:`FILE_PART` followed by its media type (``""`` when it named
  none), which no text part's value can be (a NUL makes a part a file);
- a body that is none of these, or of more than :data:`MAX_PARTS` parts, raises :class:`Malformed`
  (records.decode keeps it as a ``malformed`` body: its media type is learned, its record counted).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Final

from specbuild.http import media_type

MEDIA: Final = "multipart/form-data"
# A body of more parts is refused whole (a form has tens of fields; thousands are an attack or a bug:
# records.MAX_FORM_DEPTH's and rules.MAX_PARAMS's reasoning).
MAX_PARTS: Final = 1000
# The value a file part is read as, before its media type: a NUL never starts a text part's value.
FILE_PART: Final = "\x00file:"
# The bracketed segment a file part folds under (learn/builder.BodyState, learn/forms.FILE).
FILE_SEGMENT: Final = "\x00file"

_BOUNDARY: Final = re.compile(r';\s*boundary\s*=\s*("[^"]*"|[^;\s]+)', re.IGNORECASE)
_PARAM: Final = re.compile(r';\s*([^=;\s]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)')
_TEXT_MEDIA: Final = ("application/json", "application/x-www-form-urlencoded", "application/xml")


class Malformed(ValueError):
    """A body declared multipart/form-data that cannot be read as one; its text says why."""


def fields(text: str, content_type: str | None) -> dict[str, list[str]]:
    """The parts of a multipart/form-data body by name, each name's values in order (a file part's
    :data:`FILE_PART` + its media type).

    >>> body = '--b\\r\\nContent-Disposition: form-data; name="a"\\r\\n\\r\\n1\\r\\n--b--\\r\\n'
    >>> fields(body, "multipart/form-data; boundary=b")
    {'a': ['1']}
    """
    data = _bytes(text)
    delimiter = b"--" + _boundary(content_type, data)
    if data.count(delimiter) > MAX_PARTS + 1:
        raise Malformed(f"more than {MAX_PARTS:,} parts")
    chunks = data.split(delimiter)
    if len(chunks) < 2:
        raise Malformed("its boundary is not in the body")
    out: dict[str, list[str]] = {}
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):  # the closing delimiter: what follows is the epilogue
            break
        part = _part(chunk)
        if part is not None:
            out.setdefault(part[0], []).append(part[1])
    return out


def redacted(data: bytes, content_type: str | None, secret: Callable[[str], bool], mask: str,
             text: Callable[[str, str], str] | None = None) -> bytes:
    """``data`` with the value of each text part ``secret`` names replaced by ``mask``, and each other text
    part's value passed through ``text(media type, value)`` (a JSON part's fields); headers, delimiters,
    file parts and the bytes of a body cut short as they came. A body that cannot be read as multipart
    comes back as it is (the fold then counts it malformed), as does one where nothing changed."""
    try:
        delimiter = b"--" + _boundary(content_type, data)
    except Malformed:
        return data
    chunks = data.split(delimiter)
    if len(chunks) < 2:  # (of any number of parts: the fold refuses more than MAX_PARTS, the recording holds them)
        return data
    changed = False
    for i, chunk in enumerate(chunks[1:], 1):
        if chunk.startswith(b"--"):  # the closing delimiter
            break
        part = _redacted_part(chunk, secret, mask.encode(), text)
        if part is not chunk:
            chunks[i], changed = part, True
    return delimiter.join(chunks) if changed else data


def _redacted_part(chunk: bytes, secret: Callable[[str], bool], mask: bytes,
                   text: Callable[[str, str], str] | None) -> bytes:
    """One part (:func:`redacted`): itself when nothing in it is redacted."""
    split = _split(chunk)
    if split is None:
        return chunk  # no headers' end: a part cut inside its headers holds no value yet
    head, headers, value, tail = split
    params = _params(headers.get("content-disposition", ""))
    name = params.get("name")
    if name is None or "filename" in params:
        return chunk  # a file's bytes are its content, not a field's value
    if secret(name):
        return head + mask + tail
    part_type = media_type(headers.get("content-type")) or ""  # "": it named none
    if text is None or not part_type or not _is_text(part_type):
        return chunk
    decoded = _text(value)
    if decoded is None:
        return chunk
    after = text(part_type, decoded)
    return chunk if after == decoded else head + after.encode() + tail


def file_media(value: str) -> str | None:
    """The media type a file part was sent in (``""``: none named), read from its value; None for a text part."""
    return value[len(FILE_PART):] if value.startswith(FILE_PART) else None


def folded(name: str, value: str) -> tuple[str, str]:
    """The (name, value) a part folds as: a file part under ``name[<FILE_SEGMENT>]`` with its media type
    as the value, so the form's tree (learn/forms.py) holds a file beside a text of the same name."""
    media = file_media(value)
    return (name, value) if media is None else (f"{name}[{FILE_SEGMENT}]", media)


def _bytes(text: str) -> bytes:
    """The body's bytes: the text itself when it starts as multipart does, else its base64 undone."""
    if text.lstrip("\r\n").startswith("--"):
        return text.encode("utf-8", "surrogatepass")
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise Malformed("neither multipart text nor base64") from None


def _boundary(content_type: str | None, data: bytes) -> bytes:
    match = _BOUNDARY.search(content_type or "")
    if match is not None:
        boundary = match[1].strip('"').encode("utf-8", "replace")
        if boundary and b"--" + boundary in data:
            return boundary
    head = data.lstrip(b"\r\n")
    if head.startswith(b"--"):  # the header named none (or another): the body's first line does
        line = head.split(b"\n", 1)[0].rstrip(b"\r").rstrip()
        if len(line) > 2:
            return line[2:]
    raise Malformed("no boundary (neither in its Content-Type nor as its first line)")


def _part(chunk: bytes) -> tuple[str, str] | None:
    """One part's name and value (the text between two delimiters); None for a part without a name (or
    with a NUL in it)."""
    split = _split(chunk)
    if split is None:
        if not chunk.strip():
            return None  # blank between delimiters (a body cut before its closing delimiter)
        raise Malformed("a part without a blank line after its headers")
    _, headers, content, _ = split
    params = _params(headers.get("content-disposition", ""))
    name = params.get("name")
    if name is None or "\x00" in name:  # a NUL is the fold's own (FILE_SEGMENT): no form field is named so
        return None
    part_type = media_type(headers.get("content-type")) or ""  # "": it named none
    text = _text(content) if "filename" not in params and _is_text(part_type) else None
    return name, FILE_PART + part_type if text is None else text


def _split(chunk: bytes) -> tuple[bytes, dict[str, str], bytes, bytes] | None:
    """A part's head (its headers and the blank line after them), its headers read, its value and the line
    end before the next delimiter (``b""`` in a body cut short); None when no blank line ends its headers."""
    for sep in (b"\r\n\r\n", b"\n\n"):
        end = chunk.find(sep)
        if end >= 0:
            break
    else:
        return None
    head, content = chunk[:end + len(sep)], chunk[end + len(sep):]
    tail = b"\r\n" if content.endswith(b"\r\n") else b"\n" if content.endswith(b"\n") else b""
    return head, _headers(chunk[:end]), content[:len(content) - len(tail)], tail


def _headers(block: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in block.decode("utf-8", "replace").splitlines():
        key, colon, value = line.partition(":")
        if colon:
            out.setdefault(key.strip().lower(), value.strip())
    return out


def _params(disposition: str) -> dict[str, str]:
    """``form-data; name="a"; filename="x.png"`` -> ``{"name": "a", "filename": "x.png"}``."""
    out: dict[str, str] = {}
    for key, value in _PARAM.findall(disposition):
        if value.startswith('"'):
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        out.setdefault(key.lower().rstrip("*"), value.strip())
    return out


def _is_text(media: str) -> bool:
    return not media or media.startswith("text/") or media in _TEXT_MEDIA or media.endswith("+json")


def _text(content: bytes) -> str | None:
    """The part's text; None when it is not UTF-8 or holds a NUL (a file's bytes)."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return None if "\x00" in text else text
