"""The broker tooling in tests/brokers.py and scripts/kafka-broker: start a real broker, use it, stop it."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition
from confluent_kafka.admin import AdminClient

from tests import brokers

ROOT = Path(__file__).resolve().parent.parent
MESSAGES = 1000
PARTITIONS = 3


def _kind_available(kind: str) -> str | None:
    """Why ``kind`` cannot run here, or None when it can."""
    if kind == "apache" and not (brokers.java_available() and shutil.which("mvn")):
        return "apache broker needs java and mvn on PATH"
    if kind == "tansu":
        try:
            brokers.tansu_binary()
        except brokers.BrokerError as err:
            return str(err)
    return None


def _skip_unless(kind: str) -> None:
    reason = _kind_available(kind)
    if reason:
        pytest.skip(reason)


# --- without a broker ------------------------------------------------------------------------------------

def test_cluster_id_has_kafkas_uuid_form() -> None:
    for _ in range(200):
        cid = brokers.new_cluster_id()
        assert re.fullmatch(r"[A-Za-z0-9_-]{22}", cid)
        assert not cid.startswith("-")


def test_server_properties_fill_every_placeholder(tmp_path: Path) -> None:
    text = brokers.server_properties(40001, 40002, tmp_path / "data")
    assert "$" not in text
    assert "listeners=PLAINTEXT://127.0.0.1:40001,CONTROLLER://127.0.0.1:40002" in text
    assert "controller.quorum.voters=1@127.0.0.1:40002" in text
    assert f"log.dirs={tmp_path / 'data'}" in text


def test_consumer_overrides_shorten_tansu_sessions_only() -> None:
    tansu = brokers.consumer_overrides("tansu")
    assert 2000 <= int(tansu["session.timeout.ms"]) <= 6000
    assert int(tansu["heartbeat.interval.ms"]) < int(tansu["session.timeout.ms"])
    assert brokers.consumer_overrides("apache") == {}


def test_default_kind_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPECBUILD_TEST_BROKER", "Tansu")
    assert brokers.default_kind() == "tansu"
    monkeypatch.setenv("SPECBUILD_TEST_BROKER", "redpanda")
    with pytest.raises(brokers.BrokerError, match="apache, tansu"):
        brokers.default_kind()
    monkeypatch.delenv("SPECBUILD_TEST_BROKER")
    expected = "apache" if brokers.java_available() and shutil.which("mvn") else "tansu"
    assert brokers.default_kind() == expected


def test_broker_from_env_uses_a_running_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.create_server(("127.0.0.1", 0)) as listener:
        bootstrap = f"127.0.0.1:{listener.getsockname()[1]}"
        monkeypatch.setenv("SPECBUILD_TEST_BOOTSTRAP", bootstrap)
        monkeypatch.delenv("SPECBUILD_TEST_BROKER", raising=False)
        broker = brokers.broker_from_env()
        assert (broker.bootstrap, broker.kind, broker.external) == (bootstrap, "apache", True)
        broker.stop()  # nothing of ours to stop: a no-op
        monkeypatch.setenv("SPECBUILD_TEST_BROKER", "tansu")
        assert brokers.broker_from_env().kind == "tansu"


def test_broker_from_env_refuses_an_unreachable_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SPECBUILD_TEST_BOOTSTRAP", f"127.0.0.1:{brokers.free_port()}")
    with pytest.raises(brokers.BrokerError, match="nothing accepts connections"):
        brokers.broker_from_env()


def test_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SPECBUILD_KAFKA_CACHE", str(tmp_path))
    assert brokers.kafka_cache_dir("4.1.1") == tmp_path / "kafka-4.1.1"
    monkeypatch.delenv("SPECBUILD_KAFKA_CACHE")
    assert brokers.kafka_cache_dir("4.1.1") == Path.home() / ".cache" / "specbuild" / "kafka-4.1.1"


def test_unknown_kind_is_refused() -> None:
    with pytest.raises(brokers.BrokerError, match="unknown broker kind"):
        brokers.start_broker("zookeeper")


def test_terminate_kills_a_process_that_ignores_sigterm() -> None:
    stubborn = subprocess.Popen([sys.executable, "-c", "import signal, time\n"
                                 "signal.signal(signal.SIGTERM, signal.SIG_IGN)\nprint('ready', flush=True)\n"
                                 "time.sleep(60)"], stdout=subprocess.PIPE)
    assert stubborn.stdout is not None and stubborn.stdout.readline() == b"ready\n"
    began = time.monotonic()
    brokers.terminate(stubborn.pid, stubborn, grace=0.5)
    assert stubborn.returncode == -9
    assert time.monotonic() - began < 5


# --- with a broker ---------------------------------------------------------------------------------------

def test_a_taken_port_fails_fast_with_the_log(tmp_path: Path) -> None:
    _skip_unless("tansu")
    with brokers.start_broker("tansu", tmp_path) as first:
        port = int(first.bootstrap.rsplit(":", 1)[1])
        began = time.monotonic()
        with pytest.raises(brokers.BrokerError, match="AddrInUse"):
            brokers.start_broker("tansu", tmp_path, port=port, timeout=20)
        assert time.monotonic() - began < 10


@pytest.mark.kafka
@pytest.mark.timeout(300)
@pytest.mark.parametrize("kind", brokers.KINDS)
def test_smoke_topic_produce_consume_in_a_group(kind: str, tmp_path: Path) -> None:
    _skip_unless(kind)
    broker = brokers.start_broker(kind, tmp_path)
    try:
        assert broker.pid is not None and brokers.pid_alive(broker.pid)
        topic = f"smoke-{uuid.uuid4().hex[:8]}"
        _create_topic(broker.bootstrap, topic)
        sent = _produce(broker.bootstrap, topic)
        received, partitions = _consume(broker, topic)
        assert sorted(received) == sorted(sent)
        assert partitions == set(range(PARTITIONS))
    finally:
        pid, home = broker.pid, broker.home
        broker.stop()
    assert pid is not None and not brokers.pid_alive(pid)
    assert home is not None and not (home / "data").exists()


def _create_topic(bootstrap: str, topic: str) -> None:
    brokers.create_topic(bootstrap, topic, PARTITIONS)
    metadata = AdminClient({"bootstrap.servers": bootstrap}).list_topics(topic, timeout=10)
    assert sorted(metadata.topics[topic].partitions) == list(range(PARTITIONS))


def _produce(bootstrap: str, topic: str) -> list[bytes]:
    producer = Producer({"bootstrap.servers": bootstrap, "compression.type": "gzip", "linger.ms": 5})
    errors: list[KafkaError] = []

    def delivered(err: KafkaError | None, _msg: object) -> None:
        if err is not None:
            errors.append(err)

    values = [f'{{"n": {i}, "pad": "{"x" * 500}"}}'.encode() for i in range(MESSAGES)]
    for i, value in enumerate(values):
        producer.produce(topic, value=value, key=str(i).encode(), on_delivery=delivered)
        producer.poll(0)
    assert producer.flush(30) == 0
    assert errors == []
    return values


def _consume(broker: brokers.Broker, topic: str) -> tuple[list[bytes], set[int]]:
    config: dict[str, str | int | bool] = {
        "bootstrap.servers": broker.bootstrap, "group.id": f"smoke-{uuid.uuid4().hex[:8]}",
        "auto.offset.reset": "earliest", "enable.auto.commit": False,
        **brokers.consumer_overrides(broker.kind),
    }
    consumer = Consumer(config)
    received: list[bytes] = []
    partitions: set[int] = set()
    try:
        consumer.subscribe([topic])
        deadline = time.monotonic() + 60
        while len(received) < MESSAGES and time.monotonic() < deadline:
            for msg in consumer.consume(num_messages=500, timeout=1.0):
                value, partition = msg.value(), msg.partition()
                assert msg.error() is None and value is not None and partition is not None, msg.error()
                received.append(value)
                partitions.add(partition)
        consumer.commit(asynchronous=False)
        committed = consumer.committed([TopicPartition(topic, p) for p in range(PARTITIONS)], timeout=10)
        assert sum(tp.offset for tp in committed) == MESSAGES
    finally:
        consumer.close()
    return received, partitions


def test_cli_starts_and_stops_a_broker(tmp_path: Path) -> None:
    _skip_unless("tansu")
    env = {**os.environ, "SPECBUILD_KAFKA_STATE": str(tmp_path)}
    cli = [sys.executable, str(ROOT / "scripts" / "kafka-broker")]
    started = subprocess.run([*cli, "start", "--kind", "tansu"], env=env, capture_output=True, text=True,
                             timeout=60, check=True, stdin=subprocess.DEVNULL)
    values = dict(line.split("=", 1) for line in started.stdout.splitlines())
    pid = int(values["PID"])
    try:
        assert values["KIND"] == "tansu"
        assert re.fullmatch(r"127\.0\.0\.1:\d+", values["BOOTSTRAP"])
        assert brokers.port_open(int(values["BOOTSTRAP"].rsplit(":", 1)[1]))
        status = subprocess.run([*cli, "status"], env=env, capture_output=True, text=True, check=True)
        assert "running" in status.stdout
    finally:
        subprocess.run([*cli, "stop"], env=env, capture_output=True, timeout=60, check=True)
    assert not brokers.pid_alive(pid)
    assert list(tmp_path.glob("*.json")) == []
