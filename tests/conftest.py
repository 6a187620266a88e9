"""Shared fixtures: the Kafka broker the integration tests talk to (started here, stopped at the end)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.brokers import Broker, broker_from_env


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test on the shared broker runs in one xdist worker (``--dist loadgroup``), so one broker
    serves them all and the other worker folds and checks meanwhile; without xdist the mark is inert."""
    for item in items:
        if "kafka_broker" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("kafka"))


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    """A real Kafka-protocol broker: see tests/brokers.py for which one and how to choose."""
    broker = broker_from_env(tmp_path_factory.mktemp("kafka"))
    try:
        yield broker
    finally:
        broker.stop()
