"""Shared fixtures: the Kafka broker the integration tests talk to (started here, stopped at the end)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.brokers import Broker, broker_from_env


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    """A real Kafka-protocol broker: see tests/brokers.py for which one and how to choose."""
    broker = broker_from_env(tmp_path_factory.mktemp("kafka"))
    try:
        yield broker
    finally:
        broker.stop()
