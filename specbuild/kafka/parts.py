"""A member's partitions merged as one state record, beside the partitions' own: ``#part:<key>,<key>...``.

A member of an ``--until-end`` group that waits for the others' last states has nothing to fold: it
merges the builders of its partitions and publishes them as one state, with a digest of the partitions'
states it holds. The member that renders the group's spec then decodes one state where it would decode
and merge each of those partitions' (a state grows with the API, not with its records: three partitions
of 107k devset records each, 15 MB a state, merged are 23 MB: decoded and merged in 0.82 s of CPU against
1.26 s for the three). A part is used only while every state it was merged from is still the
latest of its partition (same digest); a part that is not (a partition folded on since) is ignored.

    value = b"specbuild-part 1 " + <digest of the states, hex> + b"\\n" + <the merged state (learn.state)>
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Final, NamedTuple

from specbuild.kafka.client import NOTE_PREFIX

PART_PREFIX: Final = f"{NOTE_PREFIX}part:"
PART_HEADER: Final = b"specbuild-part 1 "


class Part(NamedTuple):
    """A published part that stands for the latest states of ``keys``: its merged ``state`` and its record's key."""

    keys: frozenset[str]
    state: bytes
    name: str


def part_key(keys: Mapping[str, bytes] | frozenset[str] | set[str]) -> str:
    """The record key of a part merged from the states of ``keys`` (state keys, ``<topic>:<partition>``)."""
    return PART_PREFIX + ",".join(sorted(keys))


def digest(states: Mapping[str, bytes]) -> str:
    """What a part was merged from: each state key with a hash of its state."""
    out = hashlib.blake2b(digest_size=16)
    for key, data in sorted(states.items()):
        out.update(key.encode() + b"\0" + hashlib.blake2b(data, digest_size=16).digest())
    return out.hexdigest()


def part_value(states: Mapping[str, bytes], merged: bytes) -> bytes:
    """The record value of a part: the digest of the ``states`` it was merged from, then its own state."""
    return PART_HEADER + digest(states).encode() + b"\n" + merged


def usable(latest: Mapping[str, bytes], notes: Mapping[str, bytes], cheap: frozenset[str] = frozenset()) -> list[Part]:
    """The parts that stand for the ``latest`` states they were merged from, none two over one key, the
    largest first; only those that save decoding two states or more (``cheap``: keys whose builder is at
    hand, decoded or folded here)."""
    found = []
    for name, value in notes.items():
        if not name.startswith(PART_PREFIX) or not value.startswith(PART_HEADER):
            continue
        keys = frozenset(name[len(PART_PREFIX):].split(","))
        if len(keys - cheap) < 2 or not keys <= latest.keys():
            continue
        head, _, state = value[len(PART_HEADER):].partition(b"\n")
        if head.decode("ascii", "replace") == digest({k: latest[k] for k in keys}):
            found.append(Part(keys, state, name))
    chosen: list[Part] = []
    taken: set[str] = set()
    for part in sorted(found, key=lambda p: (-len(p.keys), p.name)):
        if not part.keys & taken:
            chosen.append(part)
            taken |= part.keys
    return chosen
