"""File paths: the run of folders and a file below one parameter is ONE parameter that spans segments.

Gitea's ``/repos/{owner}/{repo}/contents/{filepath}`` takes ``docs/adr/0001-record.md``, jupyter-server's
``/api/contents/{path}`` takes ``thesis/Untitled.ipynb`` (and ``/api/contents/{path}/checkpoints`` after it).
Judged a segment at a time, such values make a template per depth (``/contents/{contentName}/{name}``,
``/contents/{contentName}/{name}/{id}.md``): each new depth is an undocumented path, each depth's methods
only what that depth saw. Where the evidence says the values below a parameter are file paths, the
templates below it are merged into one parameter that spans ``/`` (``Slot.spans``), a literal trailer the
paths share kept after it.

The evidence, all of it needed (so ordinary nested resources, ``/repos/{owner}/{repo}/issues/{number}``,
``/namespaces/{ns}/pods/{name}/log``, never merge):

- **files at several depths**: the paths below the parameter end in file names (a name, a dot, a short
  extension: ``README.md``, ``{:token}.md``) with one extension at FILE_DEPTHS depths at least
  (``README.md`` and ``docs/setup.md``);
- **folders that vary**: the paths with a folder in them start with FOLDERS distinct folders at least;
- **files of several types**: FILE_TYPES extensions at least among the file names (``.md``, ``.go``): an
  API that serves one format everywhere (Datasette's ``/{table}.json`` and ``/{table}/{row}.json``)
  serves resources in it, not files;
- **no resource among the folders**: a literal the resolver kept below the values is a folder of one value
  (``src/api/handlers.go``: ``api`` only ever below ``src``), or a file name, or a *trailer*: a word below
  several values at TRAILER_DEPTHS depths at least (jupyter's ``checkpoints``, below files at every depth).
  A word below several values at one depth only is a resource of those values (``issues`` below every
  repository): nothing merges there;
- **no user's parameter**: a ``--path-template`` parameter at or below the position is one segment, as said.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from specbuild.learn.paths.resolved import Res, Slot
from specbuild.learn.paths.templates import placeholder_kind
from specbuild.segments import is_file_name, split_path

FILE_DEPTHS: Final = 2     # file names of one extension at this many depths below the parameter, at least
FOLDERS: Final = 2         # ... and this many distinct first folders among the paths with a folder in them
FILE_TYPES: Final = 2      # ... and this many extensions in all: files of their own types, not one format
TRAILER_DEPTHS: Final = 2  # a word below several values at this many depths is a trailer (``/checkpoints``)


@dataclass(frozen=True, slots=True)
class _Span:
    """What one parameter's file paths cover: the nodes of the paths, and the trailers below them."""

    nodes: list[Res]
    trailers: dict[str, list[Res]]


def file_paths(root: Res) -> None:
    """Rewrite, top-down, each position whose learned parameters hold file paths (see the module): its
    learned slots become one slot that spans segments, below which end every key of the paths, and the
    trailers they share are that slot's literal children. A merged position is not looked into again."""
    stack: list[tuple[Res, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        span = _span(node, depth)
        if isinstance(span, _Span):
            _merge(node, span)
        elif not span:
            stack.extend((slot.node, depth + 1) for slot in node.slots.values())
        # (files below a parameter, but a resource among them: nothing below it merges either, or the
        # paths below one folder would become one parameter after the first: /contents/{name}/{path})
        stack.extend((child, depth + 1) for child in node.literals.values())


def _span(node: Res, depth: int) -> _Span | bool:
    """The file paths below ``node``'s learned parameters (``depth``: labels before them); else whether
    file names were there at several depths all the same (a resource among them, a user's parameter)."""
    if not node.slots or any(slot.hint for slot in node.slots.values()):
        return False
    starts = [slot.node for _, slot in sorted(node.slots.items())]
    every = _keys_below(starts)
    if not _files(every, depth):
        return False  # most positions: no file names at several depths
    # not merged, the paths are files all the same where the parameter's own values are (README.md,
    # docs/README.md): no position below it merges either
    held = _files(every, depth, first=True)
    uses = _literal_uses(starts, depth)
    trailers = {label for label, at in uses.items()
                if not _file_label(label) and sum(len(before) > 1 for before in at.values()) >= TRAILER_DEPTHS}
    resources = {label for label, at in uses.items()
                 if not _file_label(label) and any(len(before) > 1 for before in at.values())} - trailers
    nodes: list[Res] = []
    found: dict[str, list[Res]] = defaultdict(list)
    todo = list(starts)
    while todo:
        here = todo.pop()
        nodes.append(here)
        if any(slot.hint for slot in here.slots.values()):
            return held
        todo.extend(slot.node for _, slot in sorted(here.slots.items()))
        for label, child in sorted(here.literals.items()):
            if label in resources:
                return held
            if label in trailers:
                found[label].append(child)
            else:
                todo.append(child)  # a folder of one value, or a file: more of the path
    if not _files([key for n in nodes for key in n.keys], depth):
        return held  # the files were below the trailers only
    return _Span(nodes, dict(found))


def _files(keys: Iterable[str], depth: int, *, first: bool = False) -> bool:
    """Whether the paths of ``keys`` below their first ``depth`` labels read as file paths: one extension
    ending paths at FILE_DEPTHS depths (``first``: the parameter's own values among them), FILE_TYPES
    extensions, and FOLDERS distinct first folders among the deeper paths."""
    depths: dict[str, set[int]] = defaultdict(set)
    folders: set[str] = set()
    for key in keys:
        labels = split_path(key)[depth:]
        if not labels:
            continue
        if len(labels) > 1:
            folders.add(labels[0])
        ext = _extension(labels[-1])
        if ext:
            depths[ext].add(len(labels))
    return len(folders) >= FOLDERS and len(depths) >= FILE_TYPES \
        and any(len(at) >= FILE_DEPTHS and (1 in at or not first) for at in depths.values())


def _extension(label: str) -> str:
    """A key label's file extension, lower case (``README.md``, ``{:token}.md``: ``md``), or ""."""
    typed = placeholder_kind(label)
    if typed is not None:
        return typed[1][1:].lower() if typed[1].startswith(".") else ""
    return label.rsplit(".", 1)[1].lower() if is_file_name(label) else ""


def _file_label(label: str) -> bool:
    return bool(_extension(label))


def _literal_uses(starts: Sequence[Res], depth: int) -> dict[str, dict[int, set[str]]]:
    """Every literal below ``starts``: at which depths below the parameter, after which value labels."""
    uses: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    todo = [(start, 1) for start in starts]
    while todo:
        here, at = todo.pop()
        todo.extend((slot.node, at + 1) for slot in here.slots.values())
        for label, child in here.literals.items():
            before = uses[label][at]
            before.update(split_path(key)[depth + at - 1] for key in _keys_below([child]))
            todo.append((child, at + 1))
    return uses


def _keys_below(starts: Iterable[Res]) -> list[str]:
    """The keys of ``starts`` and of every node below them."""
    out: list[str] = []
    todo = list(starts)
    while todo:
        here = todo.pop()
        out.extend(here.keys)
        todo.extend(here.literals.values())
        todo.extend(slot.node for slot in here.slots.values())
    return out


def _merge(node: Res, span: _Span) -> None:
    """``node``'s learned slots made one that spans the paths of ``span``, its trailers kept below it."""
    below = Res(sorted(key for n in span.nodes for key in n.keys), frozenset())
    for label, subtrees in sorted(span.trailers.items()):
        below.literals[label] = _merged(subtrees)
    slots = list(node.slots.values())
    slot = Slot(below, frozenset().union(*(s.kinds for s in slots)), "", "", sum(s.names for s in slots))
    slot.spans = True
    node.slots = {"": slot}


def _merged(nodes: Sequence[Res]) -> Res:
    """One node holding the keys, literals and slots of ``nodes`` (the same trailer at several depths)."""
    out = Res([key for n in nodes for key in n.keys], frozenset())
    for label in sorted({label for n in nodes for label in n.literals}):
        out.literals[label] = _merged([n.literals[label] for n in nodes if label in n.literals])
    for sid in sorted({sid for n in nodes for sid in n.slots}):
        slots = [n.slots[sid] for n in nodes if sid in n.slots]
        out.slots[sid] = Slot(_merged([s.node for s in slots]), frozenset().union(*(s.kinds for s in slots)),
                              slots[0].hint, slots[0].suffix, sum(s.names for s in slots))
    return out
