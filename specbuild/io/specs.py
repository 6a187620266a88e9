"""Read a spec a person wrote, split over files or not, into one document with only local ``$ref``s.

A spec handed to a CI job must not make it reach the network or read files it was not given, so a
``$ref`` is followed only when it is a relative path to a file inside the spec's own folder (symlinks
resolved first); http(s), ``file://``, absolute paths and paths out of the folder are refused, never
fetched. What the followed refs point to is inlined where first used; a later ref to the same place
(or a recursive one) becomes a local ``#/...`` ref to that first copy, so the result is one document
that the validator, the drift check and the diff read without opening anything.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Final
from urllib.parse import unquote, urlsplit

from specbuild.errors import InputError
from specbuild.http import OPERATION_METHODS
from specbuild.io.files import parse_document, read_bytes, read_document

MAX_FILES: Final = 1000
# Keys whose values are data, never followed: a "$ref" inside an example is text, not a reference.
_DATA_KEYS: Final = frozenset({"example", "enum", "const", "default"})

Target = tuple[Path, str]  # (a file, a JSON pointer in it, "" for its root)


def read_spec(path: str | Path) -> Any:
    """The spec at ``path`` ('-': stdin) with every file ``$ref`` inside its folder (stdin's: the working
    folder) inlined; errors name the ref."""
    p = Path(path)
    doc = parse_document(sys.stdin.buffer.read(), Path("stdin")) if str(path) == "-" else read_document(p)
    if not _has_file_refs(doc):
        return doc
    return _Bundler(p).bundle(doc)


def operation_lines(path: str | Path, paths: Iterable[str]) -> dict[str, int]:
    """Where each path, and each operation under it, starts in the spec file (1-based), for annotations:
    ``{"/users": 12, "GET /users": 13}``. Found by the key's text (JSON or YAML); what is not found (a path
    from another file of a split spec, a file that cannot be read) has no line."""
    try:
        lines = read_bytes(path).decode("utf-8", errors="replace").splitlines()
    except InputError:
        return {}
    found: dict[str, int] = {}
    for spec_path in paths:
        start = _key_line(lines, spec_path, 0, len(lines))
        if start is None:
            continue
        found[spec_path] = start + 1
        nxt = next((i for i in range(start + 1, len(lines)) if _KEY.search(lines[i]) and "/" in lines[i]
                    and _indent(lines[i]) <= _indent(lines[start])), len(lines))
        for method in OPERATION_METHODS:
            at = _key_line(lines, method, start + 1, nxt)
            if at is not None:
                found[f"{method.upper()} {spec_path}"] = at + 1
    return found


_KEY: Final = re.compile(r"""^\s*[{,]?\s*["']?/""")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _key_line(lines: list[str], key: str, start: int, stop: int) -> int | None:
    pattern = re.compile(rf"""(^|[\s{{,])(["']?){re.escape(key)}\2\s*:""")
    return next((i for i in range(start, stop) if pattern.search(lines[i])), None)


def _has_file_refs(doc: Any) -> bool:
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                return True
            stack.extend(v for k, v in node.items() if k not in _DATA_KEYS)
        elif isinstance(node, list):
            stack.extend(node)
    return False


def escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")


class _Bundler:
    def __init__(self, root: Path) -> None:
        self.root_file = root.absolute()
        self.folder = self.root_file.parent.resolve()
        self.files: dict[Path, Any] = {}
        self.placed: dict[Target, str] = {}  # an inlined target -> where its first copy is in the output

    def bundle(self, doc: Any) -> Any:
        self.files[self.folder / self.root_file.name] = doc
        return self._copy(doc, self.folder / self.root_file.name, self.folder / self.root_file.name, [], [])

    def _copy(self, node: Any, file: Path, shown: Path, at: list[str], out_at: list[str]) -> Any:
        """``node`` (at pointer ``at`` in ``file``) copied to ``out_at`` in the output, file refs inlined."""
        if isinstance(node, list):
            return [self._copy(v, file, shown, [*at, str(i)], [*out_at, str(i)]) for i, v in enumerate(node)]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            return self._follow(ref, file, shown, at, out_at)
        return {k: (v if k in _DATA_KEYS else self._copy(v, file, shown, [*at, k], [*out_at, k]))
                for k, v in node.items()}

    def _follow(self, ref: str, file: Path, shown: Path, at: list[str], out_at: list[str]) -> Any:
        target = self._target(ref, file, shown, at)
        if target[0] == self.files_root():
            return {"$ref": "#" + target[1]}  # a ref into the root document stays as it is
        if target in self.placed:
            return {"$ref": "#" + self.placed[target]}
        self.placed[target] = "".join("/" + escape(p) for p in out_at)
        node = self._node(target, ref, shown, at)
        return self._copy(node, target[0], target[0], target[1].split("/")[1:] if target[1] else [], out_at)

    def files_root(self) -> Path:
        return self.folder / self.root_file.name

    def _target(self, ref: str, file: Path, shown: Path, at: list[str]) -> Target:
        """The file and pointer ``ref`` names, refused unless it is a file inside the spec's folder."""
        where = f"{self._shown(shown)}#{''.join('/' + escape(p) for p in at)}"
        parts = urlsplit(ref)
        if parts.scheme or parts.netloc or parts.path.startswith("/") or parts.query:
            raise InputError(f"{where}: $ref {ref!r} refused: only relative refs to files in the spec's folder "
                             "are followed (no URLs, no absolute paths)")
        pointer = unquote(parts.fragment)
        if not parts.path:
            return (file, pointer)
        try:
            resolved = (file.parent / unquote(parts.path)).resolve()
        except (ValueError, OSError) as exc:  # a NUL or a lone surrogate in the name, a name too long
            raise InputError(f"{where}: $ref {ref!r} refused: not a file name ({exc})") from None
        if not resolved.is_relative_to(self.folder):
            raise InputError(f"{where}: $ref {ref!r} refused: it points out of the spec's folder {self.folder}")
        return (resolved, pointer)

    def _node(self, target: Target, ref: str, shown: Path, at: list[str]) -> Any:
        file, pointer = target
        if file not in self.files:
            if len(self.files) >= MAX_FILES:
                raise InputError(f"{self._shown(shown)}: $ref {ref!r}: more than {MAX_FILES} files referenced")
            self.files[file] = read_document(file)
        node = self.files[file]
        for raw in pointer.split("/")[1:] if pointer else []:
            part = raw.replace("~1", "/").replace("~0", "~")
            try:
                node = node[int(part)] if isinstance(node, list) else node[part]
            except (KeyError, IndexError, ValueError, TypeError):
                where = f"{self._shown(shown)}#{''.join('/' + escape(p) for p in at)}"
                raise InputError(f"{where}: $ref {ref!r} does not resolve ({pointer} is not in {file.name})") \
                    from None
        return node

    def _shown(self, file: Path) -> str:
        return str(self.root_file) if file == self.files_root() else str(file)
