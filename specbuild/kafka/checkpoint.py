"""Checkpoints of a follower: the state file, the output folder's lock, and the dead-letter file.

A checkpoint writes ``openapi.json`` (validated) and the builder's state with the next offset of
every partition folded into it (``.specbuild-state.json``, atomic; its format: :mod:`specbuild.learn.state`).
The state file opens with a versioned header, so a state written by another format version is refused
rather than misread; so is a ``.specbuild-state.pickle`` of specbuild 0.1.0 (from its header line: it is
never unpickled).
"""

from __future__ import annotations

import base64
import contextlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final, Protocol

import orjson

from specbuild.errors import InputError, RecordError, UsageError
from specbuild.io import files
from specbuild.io.files import cannot_write, put_in_place, write_atomic
from specbuild.io.validate import Elsewhere
from specbuild.learn import state as codec
from specbuild.learn.builder import SpecBuilder
from specbuild.learn.render import RenderOptions
from specbuild.parallel import forked
from specbuild.run import build_document, build_serialised, write_document

if TYPE_CHECKING:  # a type alias only: the state does not need Kafka loaded
    from specbuild.kafka.client import Partition

STATE_NAME: Final = ".specbuild-state.json"
LEGACY_STATE_NAME: Final = ".specbuild-state.pickle"  # format 2 (specbuild 0.1.0): refused, never read
STATE_VERSION: Final = codec.FORMAT


# -- the saved state -------------------------------------------------------------------------------

@dataclass(slots=True)
class State:
    """What a checkpoint saves besides the spec: the fold and where each partition continues."""

    builder: SpecBuilder
    positions: dict[Partition, int]
    # being encoded and written to a temporary file beside the state's path by another process (a fold
    # worker, at the last checkpoint): waited for and put in place after the spec; None (or a wait answering
    # None): encoded and written here
    encoded: Callable[[], Path | None] | None = None


def encode_state(state: State) -> bytes:
    """The state file's bytes (:func:`specbuild.learn.state.encode`: plain data; the builder is left as it was)."""
    return codec.encode(state.builder, state.positions)


def decode_state(data: bytes, origin: str) -> State:
    """The inverse of :func:`encode_state`; anything else (another format, a pickle) is refused."""
    builder, positions = codec.decode(data, origin)
    return State(builder=builder, positions=positions)


class Store(Protocol):
    """Where checkpoints go: a folder (spec + state) or, for ``-o -``, stdout once at the end."""

    periodic: bool
    stopping: bool  # the follower's last checkpoint is the next one
    @property
    def state_path(self) -> Path | None:
        """Where the state is written (None: not to a file)."""

    def load(self) -> State | None: ...
    def write(self, state: State) -> tuple[dict[str, Any], Path | None]: ...


class Checkpoints:
    """Writes the spec and the state into the output folder; reads the state back on start.

    ``render_every`` (``--until-end``: ``--render-interval``): the spec is rendered at the last checkpoint
    and every so many seconds, not at each one (0: at each). A replay's spec is the one at its end, and a
    render (and its validation) stops the fold for seconds; the state and the offsets are saved at each.
    ``ready``: a standby (:class:`specbuild.parallel.Standby`) that validates the spec, as a build's does.
    ``replay`` (``--until-end``): a spec is written once something is learned (:func:`learned`).
    """

    periodic = True

    def __init__(self, output: Path, fmt: str, options: RenderOptions | None,
                 base: dict[str, Any] | None, *, render_every: float = 0.0,
                 clock: Callable[[], float] = time.monotonic, ready: Elsewhere | None = None,
                 replay: bool = False) -> None:
        self.output = output
        self.ready = ready
        self.fmt = fmt
        self.options = options
        self.base = base
        self.state_path = output / STATE_NAME
        self.render_every = render_every
        self.replay = replay
        self.clock = clock
        self.stopping = False
        self.rendered: float | None = clock() if render_every else None  # when the spec on disk was rendered
        self.doc: dict[str, Any] = {}
        self.target: Path | None = None

    def load(self) -> State | None:
        try:
            data = self.state_path.read_bytes()
        except FileNotFoundError:
            _refuse_legacy(self.output / LEGACY_STATE_NAME)
            return None
        except OSError as exc:  # a folder by that name, no read permission: the user can fix it
            raise InputError(f"{self.state_path}: cannot read the saved state ({exc.strerror})",
                             hint="move it aside and re-learn, or use another output folder") from None
        return decode_state(data, str(self.state_path))

    def write(self, state: State) -> tuple[dict[str, Any], Path | None]:
        """Spec first, then state: a crash between them leaves an older state, which refolds to the same.
        The spec when it is due (see ``render_every``); the state always."""
        now = self.clock()
        if self.stopping or self.rendered is None or now - self.rendered >= self.render_every:
            try:
                self._write_spec(state)
            except Exception:  # no spec (an invalid one is our bug): no state either, nor its temporary file
                _discard(state.encoded)
                raise
            self.rendered = now
        written = state.encoded() if state.encoded is not None else None
        if written is None:
            write_atomic(self.state_path, encode_state(state), private=True)  # it may hold examples
            return self.doc, self.target
        try:
            put_in_place(written, self.state_path)
        except OSError as exc:
            raise cannot_write(self.state_path, exc) from None
        return self.doc, self.target

    def _write_spec(self, state: State) -> None:
        if self.replay and not learned(state.builder):
            return
        # a standby runs one of the validator's walks in a child it forks (this process, with librdkafka's
        # threads, may not fork: should the standby not answer, forked() says so and both run here)
        elsewhere = forked if self.ready is not None else None
        # serialised while the standby judges it, as a build's spec is (the 100k mix's: ~0.05-0.1 s)
        self.doc, text = build_serialised(state.builder, self.options, self.base, elsewhere=elsewhere,
                                          ready=self.ready, fmt=self.fmt)
        self.target = write_document(self.doc, self.output, self.fmt, text)


def learned(builder: SpecBuilder) -> bool:
    """Whether a replay (``--until-end``) has a spec to write: it learned from some exchange, now or in the state
    it resumed. A replay that learned nothing is an error, as a file build's is, and writes no spec: not a spec
    of no paths (it passed for a result, and ``--check`` said "no changes" of it), nor the ``--spec`` base
    alone; the spec already in the folder (a committed one ``--check`` reads) is never touched."""
    return builder.exchanges > 0


def _discard(encoded: Callable[[], Path | None] | None) -> None:
    """The state another process is writing, not to be put in place: its temporary file removed once it is
    there (a run's next start would remove it too, later: remove_stale_temps)."""
    written = encoded() if encoded is not None else None
    if written is not None:
        with contextlib.suppress(OSError):
            written.unlink()


def _refuse_legacy(path: Path) -> None:
    """A state only a former specbuild wrote: refused from its header line, rather than starting over."""
    try:
        with open(path, "rb") as fh:
            line = fh.readline(200)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    codec.check_header(line, str(path))  # format 2 says so here; a pickle is never loaded
    raise InputError(f"{path}: not a specbuild state file", hint=f"specbuild writes its state to {STATE_NAME}")


class StdoutCheckpoints:
    """``-o -``: the spec goes to stdout once, at the end; nothing is saved, so nothing is committed."""

    periodic = False
    stopping = False
    state_path = None

    def __init__(self, fmt: str, options: RenderOptions | None, base: dict[str, Any] | None,
                 replay: bool = False) -> None:
        self.fmt = fmt
        self.options = options
        self.base = base
        self.replay = replay

    def load(self) -> State | None:
        return None

    def write(self, state: State) -> tuple[dict[str, Any], Path | None]:
        if self.replay and not learned(state.builder):
            return {}, None
        doc = build_document(state.builder, self.options, self.base)
        write_document(doc, "-", self.fmt)
        return doc, None


# -- bad records -----------------------------------------------------------------------------------

def dead_letter_line(raw: bytes | None, err: RecordError) -> bytes:
    """One JSON line per bad record: where it came from, why, and its value as it was."""
    entry: dict[str, Any] = {"origin": err.origin, "reason": err.reason, "detail": err.detail}
    if raw is None:
        entry["value"] = None
    else:
        try:
            entry["value"] = raw.decode("utf-8")
        except UnicodeDecodeError:
            entry["value_base64"] = base64.b64encode(raw).decode("ascii")
    return orjson.dumps(entry) + b"\n"


class DeadLetter:
    """Appends bad records to a file; flushed (and fsynced) before offsets are committed."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.written = 0

    def write(self, raw: bytes | None, err: RecordError) -> None:
        self.fh.write(dead_letter_line(raw, err))
        self.written += 1

    def flush(self) -> None:
        self.fh.flush()
        with contextlib.suppress(OSError, ValueError):  # not every stream has a descriptor
            os.fsync(self.fh.fileno())



# -- the output folder and the dead-letter file ----------------------------------------------------

@contextlib.contextmanager
def locked(output: Path) -> Iterator[None]:
    """One follower per output folder: two would overwrite each other's state (and a build its spec)."""
    with files.locked(output, "another specbuild is already following into this folder",
                      hint="give each follower its own -o"):
        yield


@contextlib.contextmanager
def open_dead_letter(path: Path) -> Iterator[IO[bytes]]:
    """The ``--dead-letter`` file, opened for appending."""
    try:
        fh = open(path, "ab")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise UsageError(f"--dead-letter {path}: cannot open ({exc.strerror})") from None
    with fh:
        yield fh
