"""A path into a plain-JSON document that reads what jsonschema-path's ``SchemaPath`` reads, local ``$ref``s
followed: the keyword walk of openapi-spec-validator (io.validate) runs on it at a fraction of the cost.

That walk (paths, operations, parameters, responses, every schema object once) asks a path ``"key" in p``,
``p / "key"``, ``p.items()``, ``p.read_value()`` ~36,000 times in a large learned spec, and each question
costs a SchemaPath tens of microseconds (a resolver, caches, a Protocol isinstance per step). A
:class:`DocPath` answers from the objects themselves, each path's node found once from its parent's.

It mirrors SchemaPath only where that is plain: a ref is ``#/`` then a JSON pointer read as referencing
reads it (percent-decoded, ``~0`` and ``~1`` unescaped, a list's index as ``int()`` reads it), in a
document without ``$id`` (which would move a ref's base); anything else raises :class:`Unsure`, and so
does a key or a ref that is missing, a step into what is not an object or a list, a chain of refs that
does not end. The caller then lets the library's own path read the document: Unsure never stands for a
verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final
from urllib.parse import unquote

MAX_HOPS: Final = 64  # refs to refs followed before a chain is taken for a cycle (the library would recurse)


class Unsure(Exception):
    """Not mirrored for sure: the library's own SchemaPath must read this document."""


class Document:
    """The root of ``spec`` (a tree of dicts, lists and scalars) and its refs' targets; ``real`` makes the
    library's SchemaPath of the same ``spec``, for what a walk needs of it (a default's resolver)."""

    __slots__ = ("_made", "_real", "_spec", "_targets")

    def __init__(self, spec: Mapping[str, Any], real: Callable[[], Any]) -> None:
        if _has_id(spec):
            raise Unsure("$id")
        self._spec = spec
        self._targets: dict[str, Any] = {}
        self._real = real
        self._made: Any = None

    def root(self) -> DocPath:
        return DocPath(self, (), self.follow(self._spec))

    def follow(self, node: Any) -> Any:
        """``node`` with its refs followed (what SchemaPath reads at a path: ``is_ref`` is a dict whose
        ``$ref`` is a string, siblings aside)."""
        for _ in range(MAX_HOPS):
            if type(node) is not dict or type(node.get("$ref")) is not str:
                return node
            ref = node["$ref"]
            target = self._targets.get(ref)
            if target is None:
                target = self._targets[ref] = self._pointed(ref)
            node = target
        raise Unsure(f"a chain of more than {MAX_HOPS} refs")

    def _pointed(self, ref: str) -> Any:
        # referencing's JSON pointer: percent-decoded whole (a %2F splits too), then each key unescaped
        if not ref.startswith("#/"):
            raise Unsure(ref)
        node: Any = self._spec
        for part in unquote(ref[2:]).split("/"):
            if type(node) is list:  # an index as int() reads it (-1 is the last), as the library does
                try:
                    node = node[int(part)]
                except (ValueError, IndexError):
                    raise Unsure(ref) from None
                continue
            key = part.replace("~1", "/").replace("~0", "~")
            if type(node) is not dict or key not in node:
                raise Unsure(ref)
            node = node[key]
        return node

    def real(self) -> Any:
        if self._made is None:
            self._made = self._real()
        return self._made


class DocPath:
    """A place in a :class:`Document` (its keys from the root) and the node there, refs followed."""

    __slots__ = ("_doc", "_node", "parts")

    def __init__(self, doc: Document, parts: tuple[Any, ...], node: Any) -> None:
        self._doc = doc
        self.parts = parts
        self._node = node

    def __truediv__(self, key: Any) -> DocPath:
        node = self._node
        if type(node) is dict and type(key) is str and "#" not in key and key in node:
            return DocPath(self._doc, (*self.parts, key), self._doc.follow(node[key]))
        raise Unsure(key)  # SchemaPath's / makes a path that may not exist, or splits a key at "#"

    def __contains__(self, key: Any) -> bool:
        node = self._node
        if type(node) is dict:
            return key in node
        if type(node) is list:
            return type(key) is int and 0 <= key < len(node)
        return False

    def _children(self) -> Iterator[tuple[Any, DocPath]]:
        node, follow = self._node, self._doc.follow
        if type(node) is dict:
            for key, value in node.items():
                yield key, DocPath(self._doc, (*self.parts, key), follow(value))
        elif type(node) is list:
            for index, value in enumerate(node):
                yield index, DocPath(self._doc, (*self.parts, index), follow(value))
        else:
            raise Unsure(self.parts)

    def __iter__(self) -> Iterator[DocPath]:
        for _, child in self._children():
            yield child

    def items(self) -> Iterator[tuple[Any, DocPath]]:
        return self._children()

    def keys(self) -> Any:
        node = self._node
        if type(node) is dict:
            return node.keys()
        if type(node) is list:
            return range(len(node))
        raise Unsure(self.parts)

    def __getitem__(self, key: Any) -> Any:
        """The child's value, or its path when it is an object or a list (SchemaPath's ``[]``)."""
        node = self._node
        if (type(node) is dict and key in node) or (type(node) is list and type(key) is int and 0 <= key < len(node)):
            raw = node[key]
        else:
            raise Unsure(key)
        if type(raw) is dict or type(raw) is list:
            return DocPath(self._doc, (*self.parts, key), self._doc.follow(raw))
        return raw

    def read_value(self) -> Any:
        return self._node

    def document_root(self) -> DocPath:
        """The path of the document's root (a 3.1 schema's default dialect is read there)."""
        return self._doc.root()

    def read_str(self) -> str:
        if type(self._node) is not str:
            raise Unsure(self.parts)
        return self._node

    def resolve(self) -> Any:
        """The library's own resolution here (a context manager): a default is validated with its resolver."""
        return self._doc.real()._clone_with_parts(self.parts).resolve()


def _has_id(spec: Mapping[str, Any]) -> bool:
    """Whether any object in ``spec`` has an ``$id`` key (each shared object looked at once)."""
    stack: list[Any] = [spec]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if type(node) is dict:
            if "$id" in node:
                return True
            stack.extend(value for value in node.values() if type(value) is dict or type(value) is list)
        elif type(node) is list:
            stack.extend(value for value in node if type(value) is dict or type(value) is list)
    return False
