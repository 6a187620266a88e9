"""One spec from a consumer group (``--state kafka``), on the real broker the tests start.

Members fold a state per partition into a compacted state topic, committed in one transaction with the
group's offsets; each writes the merge of every partition's latest state, and ``specbuild render`` writes
it from the topic alone. Each must equal, byte for byte, what ``specbuild -i FILE`` writes for the same
records, also when a member is killed with SIGKILL mid-run and started again. Tansu 0.6 passes those two
(it serves transactions and the transactional offset commit) but not read_committed: it hands an aborted
transaction's records to the reader, so a checkpoint aborted there could be read as a state.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from confluent_kafka import Producer

from specbuild.kafka.client import StateReader
from tests.brokers import Broker
from tests.helpers import FIXTURES, record
from tests.test_kafka_integration import (
    USER_LINES,
    Running,
    committed,
    file_spec,
    kafka_args,
    new_topic,
    produce,
    running,  # noqa: F401 - the fixture
    slow_feed,
    spec_of,
    specbuild,
    wait_committed,
)

pytestmark = [pytest.mark.kafka, pytest.mark.timeout(180)]

PARTITIONS = 6


def lines_for(n: int) -> list[bytes]:
    """Records of several resources, so that partitions hold different operations and shapes."""
    out = list(USER_LINES)
    for i in range(n):
        kind = ("orders", "items", "carts")[i % 3]
        out.append(json.dumps(record("get", f"/{kind}/{i}", resp={"id": i, "n": i * 1.5, "tags": ["a"] * (i % 3)},
                                     query={"page": str(i % 7)})).encode())
    return out


def produce_spread(broker: Broker, topic: str, lines: list[bytes]) -> None:
    for p in range(PARTITIONS):
        produce(broker, topic, lines[p::PARTITIONS], partition=p)


def group_args(broker: Broker, topic: str, group: str, *extra: str) -> list[str]:
    return [*kafka_args(broker, topic, group), "--state", "kafka", "--checkpoint-interval", "1", *extra]


def render_spec(broker: Broker, group: str, out: Path) -> bytes:
    r = specbuild("render", "--state-topic", f"{group}.specbuild-state", "-b", broker.bootstrap, "-o", str(out))
    assert r.returncode == 0, r.stderr
    return spec_of(out)


def test_two_members_write_the_spec_of_a_file_replay_and_so_does_render(
        kafka_broker: Broker, running: Callable[..., Running], tmp_path: Path) -> None:  # noqa: F811
    topic = new_topic(kafka_broker, PARTITIONS)
    group = f"g-{topic}"
    lines = lines_for(600)
    produce_spread(kafka_broker, topic, lines)
    a = running(*group_args(kafka_broker, topic, group, "--until-end"), "-o", str(tmp_path / "a"))
    b = running(*group_args(kafka_broker, topic, group, "--until-end"), "-o", str(tmp_path / "b"))
    assert a.proc.wait(90) == 0, a.stderr
    assert b.proc.wait(90) == 0, b.stderr
    logs = f"{a.stderr}\n{b.stderr}"
    replay = file_spec(tmp_path, lines)
    assert spec_of(tmp_path / "a") == replay, logs
    assert spec_of(tmp_path / "b") == replay, logs
    assert render_spec(kafka_broker, group, tmp_path / "rendered") == replay
    assert sum(committed(kafka_broker, topic, group, PARTITIONS).values()) == len(lines)
    assert "Traceback" not in logs


def test_a_member_of_a_kip_848_group_writes_the_spec_of_a_file_replay(
        kafka_broker: Broker, running: Callable[..., Running], tmp_path: Path) -> None:  # noqa: F811
    # the broker assigns under group.protocol=consumer: librdkafka refused the assignor specbuild had set
    if kafka_broker.kind != "apache":
        pytest.skip(f"{kafka_broker.kind} does not serve KIP-848's group.protocol=consumer")
    topic = new_topic(kafka_broker, PARTITIONS)
    group = f"g-{topic}"
    lines = lines_for(60)
    produce_spread(kafka_broker, topic, lines)
    # not kafka_args: the session and heartbeat are the broker's to set under KIP-848 (librdkafka refuses them)
    a = running("--source", "kafka", "-b", kafka_broker.bootstrap, "--topic", topic, "-g", group, "--state", "kafka",
                "--until-end", "-X", "group.protocol=consumer", "-o", str(tmp_path / "a"))
    assert a.proc.wait(90) == 0, a.stderr
    assert spec_of(tmp_path / "a") == file_spec(tmp_path, lines), a.stderr
    assert sum(committed(kafka_broker, topic, group, PARTITIONS).values()) == len(lines)


def test_render_with_spec_writes_what_members_with_that_spec_write(
        kafka_broker: Broker, running: Callable[..., Running], tmp_path: Path) -> None:  # noqa: F811
    topic = new_topic(kafka_broker, PARTITIONS)
    group = f"g-{topic}"
    lines = lines_for(300)
    produce_spread(kafka_broker, topic, lines)
    base = tmp_path / "person.json"
    base.write_text(json.dumps({"openapi": "3.0.3", "info": {"title": "Shop", "version": "2.0"}, "paths": {
        "/orders/{orderId}": {"get": {"summary": "One order, as a person wrote it", "parameters": [
            {"name": "orderId", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "The order"}}}}}}))
    a = running(*group_args(kafka_broker, topic, group, "--until-end", "--spec", str(base)), "-o", str(tmp_path / "a"))
    b = running(*group_args(kafka_broker, topic, group, "--until-end", "--spec", str(base)), "-o", str(tmp_path / "b"))
    assert a.proc.wait(90) == 0, a.stderr
    assert b.proc.wait(90) == 0, b.stderr
    src = tmp_path / "replay.jsonl"
    src.write_bytes(b"".join(line + b"\n" for line in lines))
    r = specbuild("-i", str(src), "--spec", str(base), "-o", str(tmp_path / "replay"), "-q")
    assert r.returncode == 0, r.stderr
    replay = spec_of(tmp_path / "replay")
    assert b"as a person wrote it" in replay
    assert spec_of(tmp_path / "a") == spec_of(tmp_path / "b") == replay
    r = specbuild("render", "--state-topic", f"{group}.specbuild-state", "-b", kafka_broker.bootstrap,
                  "--spec", str(base), "-o", str(tmp_path / "rendered"))
    assert r.returncode == 0, r.stderr
    assert spec_of(tmp_path / "rendered") == replay
    assert b"as a person wrote it" not in render_spec(kafka_broker, group, tmp_path / "plain")


def test_a_group_replay_that_learned_nothing_fails_and_leaves_the_spec_in_its_folder_untouched(
        kafka_broker: Broker, tmp_path: Path) -> None:
    # as a single follower's replay (test_kafka_integration): the group's render wrote a spec of no paths over
    # the member's folder, the end put the one before back (a second write: a kill between them lost it)
    out = tmp_path / "spec"
    built = specbuild("-i", str(FIXTURES / "users.jsonl"), "-o", str(out), "-q")
    assert built.returncode == 0, built.stderr
    spec = out / "openapi.json"
    os.utime(spec, ns=(1_000_000_000, 1_000_000_000))
    untouched = (spec.read_bytes(), spec.stat().st_ino, spec.stat().st_mtime_ns)
    empty = new_topic(kafka_broker, 2)
    r = specbuild(*group_args(kafka_broker, empty, f"g-{empty}", "--until-end"), "-o", str(out))
    assert r.returncode == 2 and f"Error: nothing learned: {empty} holds no records" in r.stderr, r.stderr
    assert (spec.read_bytes(), spec.stat().st_ino, spec.stat().st_mtime_ns) == untouched


def test_members_of_a_group_replay_that_learned_nothing_exit_without_waiting_for_a_spec(
        kafka_broker: Broker, running: Callable[..., Running], tmp_path: Path) -> None:  # noqa: F811
    """review28: every record filtered out, the member that committed last learned nothing and published no
    spec (a0fffaf); a member waiting for the group's spec waited SPEC_WAIT (60 s) for it, then rendered
    nothing itself. The empty spec it publishes says so at once: both exit 2 within seconds."""
    topic = new_topic(kafka_broker, PARTITIONS)
    group = f"g-{topic}"
    produce_spread(kafka_broker, topic, lines_for(300))
    args = group_args(kafka_broker, topic, group, "--until-end", "--include-path", "/nothing/*")
    started = time.monotonic()
    a = running(*args, "-o", str(tmp_path / "a"))
    b = running(*args, "-o", str(tmp_path / "b"))
    assert a.proc.wait(90) == 2 and b.proc.wait(90) == 2, f"{a.stderr}\n{b.stderr}"
    logs = f"{a.stderr}\n{b.stderr}"
    assert time.monotonic() - started < 45, logs  # SPEC_WAIT is 60 s
    assert "Error: nothing learned" in a.stderr and "Error: nothing learned" in b.stderr, logs
    assert not (tmp_path / "a" / "openapi.json").exists() and not (tmp_path / "b" / "openapi.json").exists()
    assert "Traceback" not in logs


def test_a_member_killed_mid_run_and_restarted_ends_byte_identical_to_a_file_replay(
        kafka_broker: Broker, running: Callable[..., Running], tmp_path: Path) -> None:  # noqa: F811
    topic = new_topic(kafka_broker, PARTITIONS)
    group = f"g-{topic}"
    lines = lines_for(3000)
    a = running(*group_args(kafka_broker, topic, group), "-o", str(tmp_path / "a"))
    b = running(*group_args(kafka_broker, topic, group), "-o", str(tmp_path / "b"))
    b.wait_for(lambda s: "specbuild: assigned" in s, "b's partitions")
    feeder = slow_feed(kafka_broker, topic, lines, seconds=10)
    a.wait_for(lambda s: "specbuild: assigned" in s and (tmp_path / "a" / "openapi.json").exists(),
               "a first checkpoint")
    time.sleep(1.5)
    a.kill()   # SIGKILL: what it folded since its last checkpoint is in no state; b takes its partitions over
    assert feeder.is_alive(), "the feed ended before the kill: the test did not kill mid-run"
    feeder.join()
    # b commits every record once it took a's partitions over; the coordinator may not answer while the
    # group rebalances (a timed-out query on a loaded machine): wait_committed asks again until its deadline
    wait_committed(kafka_broker, topic, group, len(lines), PARTITIONS, timeout=60)
    again = specbuild(*group_args(kafka_broker, topic, group, "--until-end"), "-o", str(tmp_path / "a"),
                      timeout=90)
    assert again.returncode == 0, again.stderr
    assert b.stop() == 0, b.stderr
    replay = file_spec(tmp_path, lines)
    assert spec_of(tmp_path / "a") == replay, again.stderr
    assert spec_of(tmp_path / "b") == replay, b.stderr
    assert render_spec(kafka_broker, group, tmp_path / "rendered") == replay
    assert "loaded the states of" in b.stderr, b.stderr


def test_the_state_topic_is_read_to_its_end_past_an_aborted_transaction(kafka_broker: Broker) -> None:
    """A member killed or fenced mid-checkpoint leaves an aborted transaction at the end of the state topic:
    its state is never read (read_committed), and reading ends past it."""
    if kafka_broker.kind == "tansu":
        pytest.skip("Tansu 0.6 hands an aborted transaction's records to a read_committed reader (measured)")
    topic = new_topic(kafka_broker, 1)
    producer = Producer({"bootstrap.servers": kafka_broker.bootstrap, "transactional.id": f"t-{topic}"})
    producer.init_transactions(30)
    for value, commit in ((b"committed", True), (b"aborted", False)):
        producer.begin_transaction()
        producer.produce(topic, key=b"t:0", value=value)
        producer.flush(30)
        (producer.commit_transaction if commit else producer.abort_transaction)(30)
    reader = StateReader({"bootstrap.servers": kafka_broker.bootstrap}, topic)
    try:
        assert reader.catch_up(timeout=30) == {"t:0": b"committed"}
    finally:
        reader.close()


def test_the_state_reader_reads_a_new_state_and_the_source_ends_without_waiting(kafka_broker: Broker) -> None:
    """A member at the group's end reads the others' last states (and then the spec) and where the source
    ends: each was a wait of its own, 0.2 s (consume waited for 1000 records) and 0.5 s (metadata asked of
    the consumer went behind its fetch, waiting for data on the broker), on every member's end."""
    if kafka_broker.kind == "tansu":
        pytest.skip("Tansu 0.6 serves ListOffsets(latest) batch-granular (tests/brokers.py)")
    source, topic = new_topic(kafka_broker, 2), new_topic(kafka_broker, 1)
    producer = Producer({"bootstrap.servers": kafka_broker.bootstrap, "transactional.id": f"t-{topic}"})
    producer.init_transactions(30)
    reader = StateReader({"bootstrap.servers": kafka_broker.bootstrap}, topic)
    took: dict[str, list[float]] = {"catch_up": [], "source_ends": []}
    try:
        reader.catch_up(timeout=30)  # the reader now fetches, waiting on the broker for data
        for i in range(5):
            producer.begin_transaction()
            producer.produce(topic, key=f"t:{i}".encode(), value=b"state")
            producer.commit_transaction(30)
            started = time.perf_counter()
            assert f"t:{i}" in reader.catch_up(timeout=30)
            took["catch_up"].append(time.perf_counter() - started)
            started = time.perf_counter()
            assert reader.source_ends([source]) == {(source, 0): 0, (source, 1): 0}
            took["source_ends"].append(time.perf_counter() - started)
    finally:
        reader.close()
    # the least of five: a busy machine slows some reads, never all five by this much (0.2 s and 0.5 s before)
    assert min(took["catch_up"]) < 0.15, took
    assert min(took["source_ends"]) < 0.25, took


def test_an_until_end_member_takes_the_spec_published_from_the_same_states_and_options(
        kafka_broker: Broker, tmp_path: Path) -> None:
    """The member that commits last renders the group's spec and publishes it beside the states; a member
    that finds every state at its end and that spec, rendered from them with its options, writes it as it
    is, and one with other options renders its own."""
    topic = new_topic(kafka_broker, PARTITIONS)
    group = f"g-{topic}"
    lines = lines_for(300)
    produce_spread(kafka_broker, topic, lines)
    taken = "the group's spec as the member that committed last rendered it"
    first = specbuild(*group_args(kafka_broker, topic, group, "--until-end"), "-o", str(tmp_path / "a"), timeout=90)
    assert first.returncode == 0, first.stderr
    assert taken not in first.stderr  # nothing published yet: rendered
    again = specbuild(*group_args(kafka_broker, topic, group, "--until-end"), "-o", str(tmp_path / "b"), timeout=90)
    assert again.returncode == 0, again.stderr
    assert taken in again.stderr
    replay = file_spec(tmp_path, lines)
    assert spec_of(tmp_path / "a") == spec_of(tmp_path / "b") == replay
    other = specbuild(*group_args(kafka_broker, topic, group, "--until-end", "--no-evidence"), "-o",
                      str(tmp_path / "c"), timeout=90)
    assert other.returncode == 0, other.stderr
    assert taken not in other.stderr
    assert b"x-specbuild-seen" in replay and b"x-specbuild-seen" not in spec_of(tmp_path / "c")
