"""Files: read an existing spec, serialise a document, write it atomically; the output folder's lock.

A write goes to a temporary file in the target folder, is flushed and fsynced, then ``os.replace``d
over the target: an interrupted run leaves either the old file or the new one, never half of one. A
run killed in a write leaves its temporary file; the next run in that folder removes it
(:func:`remove_stale_temps`).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import orjson
import yaml

from specbuild.errors import InputError, OutputError, UsageError
from specbuild.io.order import ordered

LOCK_NAME: Final = ".specbuild.lock"
# what _write's mkstemp names: "." + the target's name + "." + 8 random characters + ".tmp"
_TEMP_NAME: Final = re.compile(r"\.(?P<target>.+)\.[a-z0-9_]{8}\.tmp")


def dumps(doc: Any, fmt: str = "json") -> bytes:
    """Serialise an OpenAPI document with its keys in the conventional order (io/order.py): the same
    document is always the same bytes, whatever order its dicts were built in."""
    doc = ordered(doc)
    if fmt == "yaml":
        text = yaml.dump(_plain(doc), Dumper=_BlockDumper, sort_keys=False, allow_unicode=True,
                         default_flow_style=False, width=120)
        return text.encode()
    return orjson.dumps(doc, option=orjson.OPT_INDENT_2) + b"\n"


class _BlockDumper(yaml.SafeDumper):
    """Block style and no anchors: a value written twice is written out twice (``&id001``/``*id001``
    make a spec hard to read and some tools refuse them)."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _plain(doc: Any) -> Any:
    # PyYAML's safe dumper writes only plain types; orjson-loaded values already are.
    return orjson.loads(orjson.dumps(doc))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomic(path: str | Path, data: bytes, *, private: bool = False) -> None:
    """Write ``data`` to ``path`` atomically; ``-`` writes to standard output.

    The file gets the usual permissions (0666 less the umask), or 0600 when ``private``.
    """
    if str(path) == "-":
        try:
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        except OSError as exc:  # a full disk behind a redirection, a reader gone: theirs to fix, not a bug
            raise cannot_write("stdout", exc) from None
        return
    target = Path(path)
    try:
        if _special(target):  # /dev/null, /dev/stdout, a FIFO: replacing it would put a file in its place
            with target.open("wb") as fh:
                fh.write(data)
            return
        _write(target, data, private)
    except OSError as exc:
        raise cannot_write(target, exc) from None


def cannot_write(where: str | Path, exc: OSError) -> OutputError:
    """What a user is told when ``where`` cannot be written (a full disk, no permission): theirs to fix."""
    return OutputError(f"{where}: cannot write ({exc.strerror or exc})")


def _special(target: Path) -> bool:
    """Whether ``target`` exists and is neither a regular file nor a folder (a device, a FIFO)."""
    try:
        mode = target.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _write(target: Path, data: bytes, private: bool) -> None:
    put_in_place(write_temp(target, data, private=private), target)


def write_temp(target: Path, data: bytes, *, private: bool = False) -> Path:
    """The first half of :func:`write_atomic`: ``data`` in a temporary file beside ``target``, on disk
    (fsynced); :func:`put_in_place` is the second. Another process may do either half (a fold worker writes
    a follower's state while the follower renders the spec, which goes first). Raises OSError."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        # mkstemp creates 0600; a spec is meant to be read by others (CI artifacts, servers)
        os.fchmod(fd, 0o600 if private else 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return Path(tmp)


def put_in_place(tmp: Path, target: Path) -> None:
    """The second half of :func:`write_atomic`: the temporary file ``tmp`` (:func:`write_temp`) becomes
    ``target`` at once, durably. Raises OSError (``tmp`` removed)."""
    try:
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def remove_stale_temps(folder: str | Path, started: float) -> list[Path]:
    """Remove the temporary files an interrupted write left in ``folder``; the removed paths.

    Only our own naming pattern, only regular files, only those last modified before ``started`` (the
    run's start, ``time.time()``): a write under way in another run is never touched.
    """
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed  # no folder yet (or unreadable: the write will say so)
    for entry in entries:
        if not _TEMP_NAME.fullmatch(entry.name):
            continue
        with contextlib.suppress(OSError):
            st = entry.stat(follow_symlinks=False)
            if entry.is_file(follow_symlinks=False) and st.st_mtime < started:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


@contextlib.contextmanager
def locked(output: Path, busy: str = "another specbuild is already writing into this folder",
           hint: str = "give each run its own -o") -> Iterator[None]:
    """One writer per output folder (a follower, or a build): two would overwrite each other's files.

    Taken without waiting: a folder in use is a UsageError (``busy``). The lock file is created 0600
    and never through a symbolic link (one planted there would make us create its target).
    """
    path = output / LOCK_NAME
    try:
        output.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UsageError(f"{path}: is a symbolic link; refusing to use it as the lock file",
                             hint="remove it") from None
        if exc.errno in (errno.EEXIST, errno.ENOTDIR):  # mkdir's words for "a file is in the way"
            in_the_way = next((p for p in (output, *output.parents) if p.exists() and not p.is_dir()), output)
            raise UsageError(f"{output}: cannot use as the output folder ({in_the_way} is a file)",
                             hint="-o names a folder: the spec is written into it as openapi.json "
                                  "(or openapi.yaml); '-o -' writes it to stdout") from None
        raise UsageError(f"{output}: cannot use as the output folder ({exc.strerror})") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(f"{output}: {busy}", hint=hint) from None
        yield
    finally:
        os.close(fd)


def read_bytes(path: str | Path, what: str = "file") -> bytes:
    """A file's bytes; a missing or unreadable file is an InputError that names it."""
    p = Path(path)
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{p}: no such {what}") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot read ({exc.strerror})") from None


def read_document(path: str | Path) -> Any:
    """Read a JSON or YAML document (an existing spec); errors name the file."""
    return parse_document(read_bytes(path), Path(path))


def _json_lines(raw: bytes) -> bool:
    """Two or more lines, the first two each a JSON object: JSONL (recordings given where a spec goes)."""
    lines = [line for line in raw[:1 << 20].splitlines()[:3] if line.strip()]
    try:
        return len(lines) >= 2 and all(isinstance(orjson.loads(line), dict) for line in lines[:2])
    except orjson.JSONDecodeError:
        return False


def parse_document(raw: bytes, p: Path) -> Any:
    """A JSON or YAML document from its bytes; errors name ``p`` (its file, or ``stdin``)."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    try:
        return _load_yaml(raw, p)
    except yaml.YAMLError as exc:
        if _json_lines(raw):
            raise InputError(f"{p}: JSON lines (recordings?), not one JSON or YAML document",
                             hint="a spec is one document (openapi.json or .yaml); recordings go to -i") from None
        raise InputError(f"{p}: neither JSON nor YAML ({str(exc).splitlines()[0]})") from None
    except RecursionError:
        # orjson refuses past 1024 levels, and PyYAML's composer recurses per level in Python
        raise InputError(f"{p}: nested too deeply (over 1024 levels): refused") from None


# How many nodes aliases may add to a YAML document once expanded. PyYAML builds an alias once and
# shares it, but everything after it (validation, the drift walk, JSON output) sees a tree: a 439-byte
# "billion laughs" is a billion nodes there. Real specs reuse a few responses, far below this.
MAX_ALIAS_NODES: Final = 1_000_000


class _SpecLoader(yaml.SafeLoader):
    """PyYAML's safe loader with mapping keys kept as written: ``200:``, ``7:`` or ``2024-01-01:`` is the
    name of a response or property (a string in JSON), not an int or a date."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)  # the merge keys (<<) first, as the safe loader does
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key_node.tag = "tag:yaml.org,2002:str"
        return super().construct_mapping(node, deep=deep)


def _load_yaml(raw: bytes, path: Path) -> Any:
    loader = _SpecLoader(raw)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        _refuse_bombs(root, path)
        return loader.construct_document(root)
    finally:
        loader.dispose()


def _refuse_bombs(root: yaml.Node, path: Path) -> None:
    """InputError when the aliases of the node graph ``root`` expand past MAX_ALIAS_NODES (or loop)."""
    size: dict[int, int] = {}  # node -> its size as a tree, each node sized once (depth first, post-order)
    open_: set[int] = set()  # nodes whose children are being sized: meeting one again is a loop
    written = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_sized = stack.pop()
        if children_sized:
            open_.discard(id(node))
            size[id(node)] = 1 + sum(size[id(c)] for c in _children(node))
            if size[id(node)] - written > MAX_ALIAS_NODES:
                raise InputError(f"{path}: YAML aliases expand past {MAX_ALIAS_NODES} nodes: refused")
        elif id(node) in open_:
            raise InputError(f"{path}: YAML aliases are recursive: refused")
        elif id(node) not in size:
            written += 1
            open_.add(id(node))
            stack.append((node, True))
            stack.extend((c, False) for c in _children(node))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []
