"""``specbuild produce``: push recordings (JSONL, HAR or a JSON array) into a Kafka topic, checking each one first.

The recorders the seed pointed at are no longer published; this loads recordings to demo the flow
(``specbuild produce -i fixtures/users.jsonl``, then ``specbuild --source kafka -o my_spec``).
Each line is decoded as HTTP Types before it is sent: a bad one is counted and located
(``users.jsonl:12``), never sent.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from specbuild.cli.console import Reporter
from specbuild.cli.helptext import Command, examples
from specbuild.cli.options import one_of
from specbuild.errors import RecordError, SourceError, plural
from specbuild.io.recordings import read_records
from specbuild.kafka.client import KafkaSink, open_sink, producer_config
from specbuild.records import DEFAULT_MAX_BODY_BYTES, decode
from specbuild.run import Stats

FLUSH_TIMEOUT = 60.0  # seconds to wait for the last deliveries before calling it a failure


class Compression(StrEnum):
    none = "none"
    gzip = "gzip"
    snappy = "snappy"
    lz4 = "lz4"
    zstd = "zstd"


def produce(
    input_: Annotated[str, typer.Option("--input", "-i", envvar="SPECBUILD_INPUT", metavar="FILE",
                      help="Recordings: JSONL, HAR or a JSON array (gzip read transparently); '-' for stdin.")],
    topic: Annotated[str, typer.Option("--topic", "-t", envvar="SPECBUILD_TOPIC", metavar="TOPIC",
                     help="Topic to send to.")] = "http_recordings",
    bootstrap_servers: Annotated[str, typer.Option("--bootstrap-servers", "-b",
                                 envvar="SPECBUILD_BOOTSTRAP_SERVERS", metavar="HOST:PORT",
                                 help="Kafka bootstrap servers.")] = "localhost:9092",
    kafka_option: Annotated[list[str] | None, typer.Option("-X", metavar="KEY=VALUE",
                            help="librdkafka property key=value, as kcat takes it (repeatable).")] = None,
    kafka_config: Annotated[Path | None, typer.Option("--kafka-config", envvar="SPECBUILD_KAFKA_CONFIG", metavar="FILE",
                            help="A .properties file of librdkafka settings (SASL/SSL).")] = None,
    compression: Annotated[Compression, typer.Option("--compression", metavar="CODEC",
                           help=f"Compression of the produced batches ({one_of(Compression)}).")] = Compression.none,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only errors.")] = False,
) -> None:
    """Send HTTP Types recordings from a file (JSONL, HAR or a JSON array) to a Kafka topic (bad records are
    skipped; a HAR entry is sent as the HTTP Types record it stands for)."""
    conf = producer_config(bootstrap_servers, compression.value, tuple(kafka_option or ()), kafka_config)
    with Reporter(quiet=quiet) as reporter:
        sink = open_sink(conf, topic, note=reporter.note)
        stats = send_all(sink, read_records(input_), reporter)
        left = sink.flush(FLUSH_TIMEOUT)
        stats.finished = time.monotonic()
        _check_delivery(sink, left)
        reporter.note(summary(stats, sink))


def send_all(sink: KafkaSink, records: Iterable[tuple[bytes, str]], reporter: Reporter) -> Stats:
    """Decode each record; send the good ones as they were written, count and warn about the rest."""
    stats = Stats()
    for raw, origin in records:
        stats.read += 1
        try:
            decode(raw, origin, max_body_bytes=DEFAULT_MAX_BODY_BYTES)
        except RecordError as err:
            stats.skipped[err.reason] += 1
            reporter.warn(err)
            continue
        try:
            sink.send(raw.rstrip(b"\r\n"))
        except ValueError as exc:  # e.g. larger than the broker's message.max.bytes
            refused = RecordError("refused", f"Kafka refused the record ({exc})", origin)
            stats.skipped[refused.reason] += 1
            reporter.warn(refused)
            continue
        stats.learned += 1
    return stats


def _check_delivery(sink: KafkaSink, left: int) -> None:
    if left:
        raise SourceError(f"{left:,} records were not delivered to {sink.topic} within {FLUSH_TIMEOUT:.0f} s",
                          hint="is the broker still reachable?")
    if sink.failed:
        reasons = ", ".join(f"{reason}: {n:,}" for reason, n in sorted(sink.failed.items()))
        raise SourceError(f"{sum(sink.failed.values()):,} records were refused by Kafka ({reasons})")


def summary(stats: Stats, sink: KafkaSink) -> str:
    skipped = sum(stats.skipped.values())
    line = (f"specbuild: {plural(sink.delivered, 'record')} produced to {sink.topic} in {stats.seconds:.2f} s; "
            f"{plural(skipped, 'bad record')} skipped")
    if skipped:
        line += " (" + ", ".join(f"{r}: {n:,}" for r, n in sorted(stats.skipped.items())) + ")"
    return line


def register(app: typer.Typer) -> None:
    """Add ``produce`` to the CLI (cli.main() calls this when the module is there)."""
    app.command("produce", cls=Command, epilog=examples(
        "specbuild produce -i fixtures/users.jsonl               # into http_recordings on localhost:9092",
        "specbuild produce -i rec.jsonl.gz -b kafka:9092 -t traffic --compression zstd"))(produce)
