"""One spec from a consumer group (``--state kafka``): a state per partition, kept in a compacted topic.

Each assigned partition folds into a builder of its own. At every checkpoint the state of each partition
folded since the last one (:mod:`specbuild.learn.state`, with that partition's next offset) is produced to
the state topic, key ``<topic>:<partition>``, in one Kafka transaction with the group's offsets: states and
offsets are committed together or not at all, whatever fails. A partition assigned to this member starts
from its latest committed state and that state's offset, so a record is folded into the group's states
exactly once however members come, go or are killed. Every member renders the merge of every partition's
latest state (builders merge exactly, so that is the spec one process folding everything would write).

    assign -> load the partition's state (read_committed, to the high watermark) -> seek to its offset
    poll -> fold into the partition's builder -> checkpoint: transaction(states + offsets)
         -> every --render-interval, when a state changed: render the merge (each state decoded once)
    revoke -> checkpoint first, then drop the partition's builder;  lost -> drop it (nothing is committed)

The spec is only the view: what a checkpoint must not lose is in the transaction, so rendering (seconds of
CPU per member whatever its share of the partitions) can be rarer than checkpointing, and always at stop.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final

import orjson

from specbuild.errors import SourceError
from specbuild.kafka.checkpoint import State, learned
from specbuild.kafka.client import (
    NOTE_PREFIX,
    KafkaSource,
    Partition,
    StateReader,
    StateWriter,
    describe,
    state_key,
)
from specbuild.kafka.parts import PART_PREFIX, digest, part_key, part_value, usable
from specbuild.kafka.pool import BadRecords, LocalFolder
from specbuild.learn import state as codec
from specbuild.learn.builder import SpecBuilder
from specbuild.learn.render import RenderOptions
from specbuild.run import Fold, Stats, build_document, write_document

GROUP_WAIT: Final = 120.0  # seconds a member that reached its end waits for the others' last states
# --until-end: seconds a member that waited for the others' last states then waits for the spec rendered by
# the member that committed last (it renders the same spec itself after that: that member died, or is a
# follower without --until-end that renders only every --render-interval)
SPEC_WAIT: Final = 60.0
# seconds between looks at the state topic while a member waits for the others' states or spec: the group's
# end is noticed that much sooner (0.5 s, the follower's poll, was up to half a second of every waiter's end)
WAIT_POLL: Final = 0.1
SPEC_KEY: Final = f"{NOTE_PREFIX}spec"  # the group's spec as last published, beside the states
SPEC_HEADER: Final = b"specbuild-spec 1 "  # then the tag of the states and options it was rendered from
# Bytes of states a member keeps decoded between renders (~3-4x that in memory: ten states of an API of
# GitHub's size). While every partition gets traffic, every state changed by the next render anyway: the
# cache pays for idle partitions and for renders with little new, not for a large busy group.
DECODED_BUDGET: Final = 64 << 20


class PartitionFolder:
    """A :class:`~specbuild.kafka.pool.Folder` that folds each partition into its own builder, in this
    process (a group scales out by members, one per core or machine)."""

    def __init__(self, template: SpecBuilder, make_fold: Callable[[SpecBuilder, Stats], Fold[SpecBuilder]],
                 bad: BadRecords | None = None) -> None:
        self.template = template
        self.make_fold = make_fold
        self.bad = bad
        self.stats = Stats()
        self.dispatched = 0
        self.folders: dict[Partition, LocalFolder] = {}
        self.dirty: set[Partition] = set()
        self.saved: dict[Partition, tuple[bytes, str]] = {}  # states decoded when their first record comes
        self._names: dict[str, Partition] = {}  # "topic[3]" (an origin's prefix) -> ("topic", 3)

    @property
    def live(self) -> SpecBuilder | None:
        return None  # no one builder holds everything: the live line counts the last checkpoint's spec

    def start(self, part: Partition, builder: SpecBuilder | None) -> None:
        """Fold ``part`` from ``builder`` (its saved state) on, or from nothing."""
        self.folders[part] = LocalFolder(self.make_fold(builder or self.template.blank(), self.stats), self.bad)
        self.dirty.discard(part)
        self.saved.pop(part, None)

    def resume(self, part: Partition, state: bytes, origin: str) -> None:
        """Fold ``part`` on from its saved ``state``, decoded when its first record comes: a partition
        assigned at the end of an ``--until-end`` run (its member left) is never decoded."""
        self.folders.pop(part, None)
        self.dirty.discard(part)
        self.saved[part] = (state, origin)

    def drop(self, parts: Iterable[Partition]) -> None:
        for part in parts:
            self.folders.pop(part, None)
            self.dirty.discard(part)
            self.saved.pop(part, None)

    def add(self, records: Sequence[tuple[bytes | None, str]]) -> None:
        """Fold records (``topic[partition]@offset`` origins) into their partitions' builders; a poll
        returns runs of one partition, so a batch is cut where the partition changes."""
        start, current = 0, ""
        for i, (_, origin) in enumerate(records):
            prefix = origin[:origin.rindex("@")]
            if prefix != current:
                self._fold(current, records[start:i])
                start, current = i, prefix
        self._fold(current, records[start:])
        self.dispatched += len(records)

    def _fold(self, prefix: str, records: Sequence[tuple[bytes | None, str]]) -> None:
        if not records:
            return
        part = self._names.get(prefix)
        if part is None:
            topic, _, rest = prefix.rpartition("[")
            part = self._names[prefix] = (topic, int(rest.rstrip("]")))
        if part not in self.folders:
            saved = self.saved.get(part)
            self.start(part, codec.decode(*saved)[0] if saved is not None else None)
        self.folders[part].add(records)
        self.dirty.add(part)

    def backlog(self, lag: int | None) -> None:
        pass

    def sync(self, last: bool = False) -> SpecBuilder:
        return self.template

    def encode_state(self, builder: SpecBuilder, positions: Mapping[Partition, int], target: Path) -> None:
        return None  # a group's states are encoded by partition, in this process (Group.commit)

    def close(self) -> None:
        pass

    def take_states(self, positions: Mapping[Partition, int],
                    only: Collection[Partition] | None = None) -> dict[Partition, bytes]:
        """The encoded state of each partition folded since the last call (with its next offset); of those in
        ``only`` when given (a revoke saves the partitions that go: the others are saved at the checkpoint)."""
        taken = sorted(self.dirty if only is None else self.dirty & set(only))
        out = {p: codec.encode(self.folders[p].fold.builder, {p: positions[p]})
               for p in taken if p in self.folders and p in positions}
        self.dirty.difference_update(taken)
        return out


class Group:
    """This member's part in the group: loads states on assign, commits them with the offsets on each
    checkpoint, and renders the merge of every partition's latest state into ``output``. It is the
    follower's checkpoint store (:class:`~specbuild.kafka.checkpoint.Store`): nothing is loaded at start,
    each partition's state is, when it is assigned."""

    periodic = True
    state_path = None  # the states go to the state topic

    def __init__(self, folder: PartitionFolder, reader: StateReader, writer: StateWriter,
                 positions: dict[Partition, int], *, output: Path, fmt: str, options: RenderOptions | None,
                 base: dict[str, Any] | None, note: Callable[[str], None], render_interval: float = 0.0,
                 clock: Callable[[], float] = time.monotonic, until_end: Sequence[str] = ()) -> None:
        self.folder = folder
        self.reader = reader
        self.writer = writer
        self.positions = positions
        self.output = output
        self.fmt = fmt
        self.options = options
        self.base = base
        self.note = note
        self.source: KafkaSource | None = None
        self.pending: dict[Partition, bytes] = {}  # states of an aborted transaction, written with the next
        self.rendered: dict[str, bytes] = {}  # the states the spec on disk was rendered from
        self.committed: dict[Partition, bytes] = {}  # the state last committed of each partition we fold
        self.decoded = DecodedStates(reader.topic)
        self.render_interval = render_interval
        self.clock = clock
        # --until-end (the source topics, or ()): the spec is rendered once every partition's state is at its
        # end; before, only every render_interval (a first render at the first checkpoint would be thrown away)
        self.topics = list(until_end)
        self.until_end = bool(until_end)
        self.last_render: float | None = clock() if until_end else None  # when the spec on disk was rendered
        self.doc: dict[str, Any] = {}
        self.target: Path | None = None
        self.stopping = False   # the follower's last checkpoint
        self.ends: dict[Partition, int] | None = None  # where the source's partitions ended (--until-end)
        self.waiting_since: float | None = None  # since when this member has had nothing left to fold
        self.spec_since: float | None = None  # since when it waits for the spec of the member that committed last
        self.spent = False  # the last render took our builders over: nothing folds into them any more
        self.finished = False  # finish() wrote the group's spec: nothing renders after it
        self.part: str | None = None  # the key of the part (our partitions merged) we published last
        self._tagged: tuple[tuple[tuple[str, int], ...], str] = ((), "")  # the states hashed last, their digest
        self.view = view_digest(options, base)

    def attach(self, source: KafkaSource) -> None:
        self.source = source
        source.on_assign = self.assigned
        source.on_lost = self.lost

    def assigned(self, parts: list[Partition]) -> None:
        """Before the partitions are placed: their latest committed states, and the offsets they end at."""
        latest = self.reader.catch_up()
        loaded = []
        for part in parts:
            data = latest.get(state_key(part))
            if data is None:
                self.positions.pop(part, None)  # never checkpointed: the group's offset or --offset-reset
                self.folder.start(part, None)
                continue
            origin = f"{self.reader.topic}[{state_key(part)}]"
            self.folder.resume(part, data, origin)
            self.positions[part] = codec.decode_positions(data, origin)[part]
            loaded.append(f"{state_key(part)}@{self.positions[part]}")
        if loaded:
            self.note(f"specbuild: loaded the states of {', '.join(loaded)}")

    def lost(self, parts: list[Partition]) -> None:
        self.folder.drop(parts)
        for part in parts:
            self.positions.pop(part, None)
            self.pending.pop(part, None)
            self.committed.pop(part, None)

    def revoked(self, parts: list[Partition]) -> None:
        """After the revoke's checkpoint: another member goes on from the states just committed, and
        this one renders them from the builders it folded (no decode), when those are what was committed."""
        if not self.finished:  # the revoke of a member leaving after finish(): no render to settle them for
            self.decoded.own(self.live())
            self.decoded.freeze({state_key(p) for p in parts})  # (settling 640k records' builders: ~2 s)
        self.lost(parts)

    def live(self) -> dict[str, tuple[bytes, SpecBuilder]]:
        """The builders of our partitions that hold exactly their last committed state (nothing folded
        since, nothing left to commit), by state key, with that state."""
        folder = self.folder
        if self.spent:  # the last render took them over
            return {}
        return {state_key(p): (data, folder.folders[p].fold.builder) for p, data in self.committed.items()
                if p in folder.folders and p not in folder.dirty and p not in self.pending}

    def commit(self, only: Collection[Partition] | None = None) -> bool:
        """The states folded since the last checkpoint (of ``only``'s partitions, when given) and their
        offsets, in one transaction, with any an aborted one left."""
        assert self.source is not None
        self.pending.update(self.folder.take_states(self.positions, only))
        if not self.pending:
            return True
        offsets = {p: self.positions[p] for p in self.pending}
        states = {state_key(p): data for p, data in self.pending.items()}
        if not self.writer.commit(states, offsets, self.source.group_metadata()):
            self.note(f"warning: the checkpoint of {describe(self.pending)} was aborted; the next one writes it")
            return False
        self.reader.latest.update(states)
        self.committed.update(self.pending)
        self.pending.clear()
        return True

    def load(self) -> State | None:
        return None

    def write(self, _state: State) -> tuple[dict[str, Any], Path | None]:
        """A checkpoint: our states and offsets committed, then the group's spec rendered when the render
        is due (the first, each ``render_interval`` s, the stop; at the stop of an ``--until-end`` run:
        once the group's states reach the end, :meth:`wait_for_ends`)."""
        self.commit()
        if self.stopping and self.until_end:
            return self.doc, self.target
        if self.stopping or self.render_due():
            return self.render(last=self.stopping)
        return self.doc, self.target

    def render_due(self) -> bool:
        return self.last_render is None or self.clock() - self.last_render >= self.render_interval

    def news(self) -> bool:
        """Whether a checkpoint would write something new: an aborted transaction, another member's state
        (when the render is due)."""
        if self.pending:
            return True
        if not self.render_due():
            return False
        try:
            return self.reader.catch_up(timeout=10) != self.rendered
        except SourceError:  # the broker away: the next checkpoint looks again
            return False

    def render(self, last: bool = False) -> tuple[dict[str, Any], Path | None]:
        """The merge of every partition's latest state (ours included: just committed) as the spec; the
        spec on disk stays when no state changed since it was rendered. The ``last`` one (the member stops
        folding) takes the builders over instead of merging copies of them: they are spent after it."""
        latest = self.reader.catch_up()
        self.last_render = self.clock()
        if self.target is not None and latest == self.rendered:
            return self.doc, self.target
        self.rendered = dict(latest)
        self.decoded.own(self.live())
        self.spent = self.spent or last
        builder = self.decoded.merged(self.rendered, self.folder.template, take=last, notes=self.reader.notes)
        if self.until_end and not learned(builder):  # the group's replay has learned nothing yet: no spec
            self.doc, self.target = {}, None
            return self.doc, self.target
        self.doc = build_document(builder, self.options, self.base)
        self.target = write_document(self.doc, self.output, self.fmt)
        return self.doc, self.target

    def end_unsaved(self) -> bool:
        """--until-end: our partitions are at their end and what we folded is not committed yet (the other
        members wait for these states): a checkpoint is due now, and again while its transaction aborts."""
        source = self.source
        return self.until_end and source is not None and source.at_end() and bool(self.folder.dirty or self.pending)

    def ended(self) -> bool:
        """--until-end: every partition's state is at the end of its partition (as it was when this member
        first had nothing left to fold), or GROUP_WAIT s passed since. Until then the member stays in the
        group, idle: a member that left would hand its partitions to the others while they are leaving too
        (each decoding states for nothing), and one whose last transaction aborted would leave its states
        short of the end with no one to fold them. It also takes over the partitions of a member that dies."""
        source = self.source
        idle = source is not None and (source.at_end() or not source.assigned or self.saved_at_end(source.assigned))
        if not idle or self.folder.dirty or self.pending:
            self.waiting_since = self.spec_since = None
            return False
        now = self.clock()
        if self.ends is None:
            self.ends = self.reader.source_ends(self.topics, time.monotonic() + GROUP_WAIT)
        behind = behind_ends(self.reader.catch_up(), self.ends)
        if not behind:
            return self._spec_ready(now)
        if self.waiting_since is None:
            self.waiting_since = now
            if source is not None and source.assigned:  # not before the group's first assignment
                self.note(f"specbuild: waiting for the states of {describe(behind)} to reach the end (folded by "
                          "the group's other members)")
                self.publish_part()
        elif now - self.waiting_since > GROUP_WAIT:
            self.note(f"warning: the states of {describe(behind)} are not at the end of their partitions "
                      f"after {GROUP_WAIT:.0f} s; the spec holds what the group has saved")
            return True
        return False

    def saved_at_end(self, parts: Collection[Partition]) -> bool:
        """Whether each of ``parts`` was assigned with a state at its end (known once this member waits): the
        partitions of a member that rendered the spec and left. Their consumer reports the end only after a
        fetch, and meanwhile this member counted as busy, so it noticed the spec that member had published
        a second later (0.5-1.1 s, measured with two members)."""
        ends = self.ends
        return ends is not None and all(part in self.positions and self.positions[part] >= ends.get(part, 0)
                                        for part in parts)

    @property
    def waiting(self) -> bool:
        """--until-end: this member has nothing left to fold and waits for the others' states or spec."""
        return self.waiting_since is not None

    def publish_part(self) -> None:
        """Waiting for the others, our partitions' builders merged as one state (:mod:`.parts`): the
        member that renders decodes it instead of each of their states. Best effort: an aborted publish
        costs that member the decodes, nothing else."""
        live = self.live()
        if len(live) < 2:
            return
        states = {key: data for key, (data, _) in live.items()}
        out: SpecBuilder | None = None
        for _key, (_data, builder) in sorted(live.items()):
            out = out or builder.blank()
            out.merge(settled_copy(builder))  # copies: the builders go on folding if a partition comes back
        assert out is not None
        positions = {p: self.positions[p] for p in self.committed if state_key(p) in states}
        key = part_key(states)
        stale = [] if self.part is None or self.part == key else [self.part]
        if self.writer.publish(key, part_value(states, codec.encode(out, positions)), drop=stale):
            self.part = key

    def _spec_ready(self, now: float) -> bool:
        """Every state at its end: a member that saw none behind since it last folded committed last, and
        renders (then publishes) the spec; the others wait for that spec (SPEC_WAIT s at most), so the group
        renders it once."""
        if self.waiting_since is None:
            return True
        tag = self.tag(self.reader.latest)
        data = self.reader.notes.get(SPEC_KEY, b"")
        # the spec of these states is out: taken when rendered with our options, else rendered here at once
        if data.startswith(SPEC_HEADER + tag.rpartition("-")[0].encode() + b"-"):
            return True
        if self.spec_since is None:
            self.spec_since = now
            self.note("specbuild: every state is at its end; waiting for the spec of the member that committed last")
        return now - self.spec_since > SPEC_WAIT

    def tag(self, latest: Mapping[str, bytes]) -> str:
        """What a spec is rendered from: every state, the render options and the person's spec. The states
        are hashed once while they stay the same objects (the reader keeps them until they change)."""
        seen = tuple(sorted((key, id(data)) for key, data in latest.items()))
        if seen != self._tagged[0]:
            self._tagged = (seen, digest(latest))
        return f"{self._tagged[1]}-{self.view}"

    def published(self, tag: str) -> dict[str, Any] | None:
        """The group's spec as another member published it, when rendered from ``tag``."""
        data = self.reader.notes.get(SPEC_KEY)
        head = SPEC_HEADER + tag.encode() + b"\n"
        if data is None or not data.startswith(head):
            return None
        doc: dict[str, Any] = orjson.loads(data[len(head):])
        return doc

    def finish(self) -> tuple[dict[str, Any], Path | None]:
        """--until-end, every state at its end: the group's spec, as the member that committed last published
        it (from the same states, with the same options), or rendered here and published for the others."""
        self.finished = True
        latest = self.reader.catch_up()
        doc = self.published(self.tag(latest))
        if doc == {}:  # the group learned nothing from these states: no spec (the member exits 2, as we do)
            self.rendered, self.last_render = dict(latest), self.clock()
            return doc, None
        if doc is not None:
            self.note("specbuild: the group's spec as the member that committed last rendered it (the same states "
                      "and options)")
            self.rendered, self.last_render = dict(latest), self.clock()
            self.doc, self.target = doc, write_document(doc, self.output, self.fmt)
            return self.doc, self.target
        doc, target = self.render(last=True)
        head = SPEC_HEADER + self.tag(self.rendered).encode() + b"\n"
        if target is None:
            # nothing learned: an empty spec says so to the members waiting for ours (they waited SPEC_WAIT
            # for a spec that never came, then rendered nothing themselves)
            self.writer.publish(SPEC_KEY, head + b"{}")
            return doc, target
        parts = sorted(k for k in self.reader.notes if k.startswith(PART_PREFIX))  # served: dropped by compaction
        if not self.writer.publish(SPEC_KEY, head + orjson.dumps(doc), drop=parts):
            self.note("warning: the group's spec could not be published; the other members render it too")
        return doc, target

    def wait_for_ends(self, topics: Sequence[str], clock: Callable[[], float] = time.monotonic) -> None:
        """Until every partition's state reached the end of its partition (the others are still folding
        theirs), for at most GROUP_WAIT s: then every member's last spec is the same."""
        deadline = clock() + GROUP_WAIT
        ends = self.reader.source_ends(topics, deadline)
        while True:
            behind = behind_ends(self.reader.catch_up(), ends)
            if not behind:
                return
            if clock() > deadline:
                self.note(f"warning: the states of {describe(behind)} are not at the end of their partitions "
                          f"after {GROUP_WAIT:.0f} s; the spec holds what the group has saved")
                return
            time.sleep(WAIT_POLL)


def view_digest(options: RenderOptions | None, base: dict[str, Any] | None) -> str:
    """The render options and the person's spec, as a digest: a spec rendered with others is not taken."""
    plain = [dataclasses.asdict(options) if options is not None else None, base]
    data = orjson.dumps(plain, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS,
                        default=lambda x: sorted(x) if isinstance(x, (set, frozenset)) else repr(x))
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def behind_ends(latest: Mapping[str, bytes], ends: Mapping[Partition, int]) -> list[Partition]:
    """The partitions whose latest state is short of ``ends`` (a partition never checkpointed is at 0)."""
    out = []
    for part, end in sorted(ends.items()):
        data = latest.get(state_key(part))
        at = codec.decode_positions(data, state_key(part)).get(part, 0) if data is not None else 0
        if at < end:
            out.append(part)
    return out


class DecodedStates:
    """Each partition's latest state, decoded once: a render decodes only the states that changed since
    the last one (another member's, when it checkpointed; ours are the builders that folded them) and
    merges copies, so the decoded builders stay as they were for the next render. Decoded, a state takes
    ~4x its bytes: past ``budget`` bytes of states, the rest are decoded at each render and taken over."""

    def __init__(self, topic: str, budget: int = DECODED_BUDGET) -> None:
        self.topic = topic
        self.budget = budget
        self.builders: dict[str, tuple[bytes, SpecBuilder]] = {}  # key -> (the state, decoded)
        self.folding: set[str] = set()  # keys whose builder this member still folds into
        self.decodes = 0  # how many states were decoded (what the cache saves shows in tests)

    def merged(self, latest: Mapping[str, bytes], template: SpecBuilder | None = None,
               take: bool = False, notes: Mapping[str, bytes] | None = None) -> SpecBuilder:
        """One builder from every partition's state (key order; merges are exact, so any order would do).
        ``take``: the kept builders are taken over, not copied (a copy of each costs as much as the render's
        merge itself), and forgotten: the last render of a member that stops folding. ``notes``: the state
        topic's other records; a part (:mod:`.parts`) of states not at hand is decoded instead of them."""
        for key in self.builders.keys() - latest.keys():
            del self.builders[key]
        out: SpecBuilder | None = None
        covered: set[str] = set()
        for part in usable(latest, notes or {}, self.at_hand(latest)):
            builder, _ = codec.decode(part.state, f"{self.topic}[{part.name}]")
            self.decodes += 1
            covered |= part.keys
            if out is None:
                out = builder  # decoded for this merge alone: the others merge into it
            else:
                out.merge(builder)
        for key, data in sorted(latest.items()):
            if key in covered:
                continue
            builder, kept = self.builder(key, data)
            if key in self.folding:  # ours: merged settled, as its state decodes
                if take:  # the last render: spent after it, settled in place
                    builder.settle(keep_native=True)
                else:  # a copy: our builder folds on as it was
                    builder = settled_copy(builder)
                kept = False
            if out is None:
                out = builder.blank()  # the settings the states were folded with
            out.merge(builder, take=take or not kept)
        if take:
            self.builders.clear()
            self.folding.clear()
        if out is None:
            return template.blank() if template is not None else SpecBuilder()
        return out

    def at_hand(self, latest: Mapping[str, bytes]) -> frozenset[str]:
        """The keys whose latest state is here as a builder (decoded before, or folded here)."""
        return frozenset(k for k, (data, _) in self.builders.items()
                         if k in latest and (data is latest[k] or data == latest[k]))

    def own(self, live: Mapping[str, tuple[bytes, SpecBuilder]]) -> None:
        """The builders this member folds that hold exactly a state (just committed): used for it, not
        decoded. They go on folding after the render, so the last render's are forgotten first."""
        for key in self.folding:
            self.builders.pop(key, None)
        self.builders.update(live)
        self.folding = set(live)

    def freeze(self, keys: set[str]) -> None:
        """Builders no longer folded (their partitions revoked) go on standing for their states, settled as
        those decode (nothing folds into them now: settling them in place changes no later fold)."""
        for key in keys & self.folding:
            if key in self.builders:
                self.builders[key][1].settle(keep_native=True)
        self.folding -= keys

    def builder(self, key: str, data: bytes) -> tuple[SpecBuilder, bool]:
        """The builder of ``key``'s state ``data``, and whether it is kept (then merge a copy of it)."""
        cached = self.builders.pop(key, None)
        if cached is not None and (cached[0] is data or cached[0] == data):
            self.builders[key] = cached
            return cached[1], True
        builder, _ = codec.decode(data, f"{self.topic}[{key}]")
        self.decodes += 1
        used = sum(len(state) for k, (state, _) in self.builders.items() if k not in self.folding)
        if used + len(data) > self.budget:
            return builder, False
        self.builders[key] = (data, builder)
        return builder, True


def settled_copy(builder: SpecBuilder) -> SpecBuilder:
    """A copy of ``builder`` with its natively folded parts settled, as its encoded state decodes, merged beside
    decoded states (trial25: merged unsettled beside them, a member's spec depended on which partitions were
    its own). ``builder`` stays as it was: settled in place, it would fold on from there, and at the cap of
    names one position keeps what it keeps depends on where the fold was settled (the realistic mix's first
    10k records settled after 5k: another spec), so a member's spec depended on when it rendered. Its JSON
    bodies stay native, as a decoded state's: exported to Python here, they cost 2.3 s a 100k records at
    every render, and a render of native ones exports them once, after the merge."""
    out = builder.blank()
    out.merge(builder, take=False)
    out.settle(keep_native=True)
    return out


def merged(latest: Mapping[str, bytes], topic: str, template: SpecBuilder | None = None,
           notes: Mapping[str, bytes] | None = None) -> SpecBuilder:
    """One builder from every partition's state, once (``render``): each decoded and taken over."""
    return DecodedStates(topic, budget=0).merged(latest, template, notes=notes)


def transactional_id(group_id: str) -> str:
    """One per process: a member killed and restarted is fenced by the group's generation (KIP-447), not
    by a reused id, so members need no identity of their own."""
    return f"specbuild-{group_id}-{uuid.uuid4().hex[:12]}"



def read_group(conf: Mapping[str, str], topic: str, note: Callable[[str], None]) -> tuple[SpecBuilder, int]:
    """``specbuild render``: the merge of every partition's latest committed state in ``topic``, and how
    many partition states it holds."""
    reader = StateReader(conf, topic, note)
    try:
        latest = reader.catch_up()
        return merged(latest, topic, notes=reader.notes), len(latest)
    finally:
        reader.close()
