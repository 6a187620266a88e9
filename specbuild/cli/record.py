"""``specbuild record``: a reverse proxy that records the traffic it forwards as HTTP Types JSONL.

``register(app)`` adds the command (``cli.main()`` calls it when asked for it). The proxy itself is
:mod:`specbuild.record.proxy` (asyncio protocols; uvloop when it is installed).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from specbuild.cli.helptext import Command, examples
from specbuild.cli.options import (
    ExcludePath,
    Hosts,
    IncludePath,
    Methods,
    ShowTraceback,
    _not_negative,
    _positive,
)
from specbuild.cli.settings import record_filter
from specbuild.errors import UsageError
from specbuild.record import proxy
from specbuild.record.capture import DEFAULT_MAX_BODY_BYTES, Redaction
from specbuild.record.sink import JsonlSink, KafkaRecordSink, Sink, kafka_target

PANEL_REDACTION = "Redaction (on by default)"
PANEL_SINK = "Kafka sink (-o kafka://HOST:PORT/TOPIC)"
# the keys build's -X and --kafka-config take (read by the same producer_config); here for the sink
SinkOption = Annotated[list[str] | None, typer.Option(
    "-X", metavar="KEY=VALUE", rich_help_panel=PANEL_SINK,
    help="librdkafka property key=value for the producer, as kcat takes it (repeatable).")]
SinkConfig = Annotated[Path | None, typer.Option(
    "--kafka-config", metavar="FILE", rich_help_panel=PANEL_SINK,  # no envvar: build's would refuse a file -o
    help="A .properties file of librdkafka settings (SASL/SSL).")]


def _share(value: float) -> float:
    if not 0.0 <= value <= 1.0:
        raise typer.BadParameter(f"{value} is not a share between 0 and 1")
    return value


def listen_address(text: str) -> tuple[str, int]:
    """``HOST:PORT`` or ``PORT`` -> (host, port); host 127.0.0.1 when left out."""
    host, sep, port = text.rpartition(":")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(f"--listen {text!r} is not HOST:PORT", hint="e.g. --listen 127.0.0.1:8080")
    return (host.strip("[]") if sep and host else "127.0.0.1"), int(port)


def record(
    upstream: Annotated[str, typer.Option("--upstream", metavar="URL",
                                          help="The app to forward to, e.g. http://localhost:8000.")],
    output: Annotated[str, typer.Option("--output", "-o", metavar="FILE", help="JSONL file the records are "
                                        "appended to, or kafka://HOST:PORT/TOPIC.")],
    listen: Annotated[str, typer.Option("--listen", metavar="HOST:PORT",
                                        help="Where the proxy listens.")] = "127.0.0.1:8080",
    no_redact: Annotated[bool, typer.Option("--no-redact", rich_help_panel=PANEL_REDACTION,
                         help="Keep credentials, cookies and secret fields (a test bench only).")] = False,
    redact_header: Annotated[list[str] | None, typer.Option("--redact-header", metavar="NAME",
                             rich_help_panel=PANEL_REDACTION,
                             help="One more header to redact (repeatable).")] = None,
    redact_query: Annotated[list[str] | None, typer.Option("--redact-query", metavar="NAME",
                             rich_help_panel=PANEL_REDACTION,
                            help="One more query parameter to redact (repeatable).")] = None,
    redact_field: Annotated[list[str] | None, typer.Option("--redact-field", metavar="NAME",
                             rich_help_panel=PANEL_REDACTION,
                            help="One more JSON or form body field to redact (repeatable).")] = None,
    max_body_bytes: Annotated[int, typer.Option("--max-body-bytes", metavar="BYTES", callback=_not_negative,
                              help="Bodies over this are cut and flagged (learned by media type only).")]
    = DEFAULT_MAX_BODY_BYTES,
    omit_body: Annotated[list[str] | None, typer.Option("--omit-body", metavar="MEDIA",
                         help="Leave out the bodies of this media type, e.g. 'image/*' (repeatable; "
                              "flagged, learned by media type only; other binary bodies are base64).")] = None,
    sample: Annotated[float, typer.Option("--sample", metavar="SHARE", callback=_share,
                      help="The share of exchanges recorded (0..1).")] = 1.0,
    no_forwarded: Annotated[bool, typer.Option("--no-forwarded", help="Add no X-Forwarded-For, -Proto, -Host to "
                            "what goes upstream (a server that refuses them from a proxy it does not trust: "
                            "Home Assistant answers 400).")] = False,
    rotate_bytes: Annotated[int | None, typer.Option("--rotate-bytes", metavar="BYTES", callback=_positive,
                            help="Rotate -o at this size: rec.jsonl.1, .2 ... (5 kept).")] = None,
    include_path: IncludePath = None,
    exclude_path: ExcludePath = None,
    host: Hosts = None,
    method: Methods = None,
    kafka_option: SinkOption = None,
    kafka_config: SinkConfig = None,
    show_traceback: ShowTraceback = False,  # its callback tells main() (see RunFlags)
) -> None:
    """Forward HTTP to --upstream and append one HTTP Types record per exchange to -o (Ctrl-C stops)."""
    try:
        target = proxy.Upstream(upstream)
    except ValueError:
        raise UsageError(f"--upstream {upstream!r} is not an http(s) URL",
                         hint="e.g. --upstream http://localhost:8000") from None
    bind, port = listen_address(listen)
    sink = _sink(output, rotate_bytes, tuple(kafka_option or ()), kafka_config)
    redaction = Redaction(enabled=not no_redact, headers=frozenset(h.lower() for h in redact_header or ()),
                          query=frozenset(redact_query or ()), fields=frozenset(redact_field or ()))
    proxy.serve(target, bind, port, {"to": sink, "redaction": redaction, "max_body_bytes": max_body_bytes,
                                       "keep": record_filter(include_path, exclude_path, host, method),
                                       "sample": sample, "omit": tuple(omit_body or ())}, forwarded=not no_forwarded,
                ready=lambda: print(f"specbuild record: http://{bind}:{port} -> {upstream}, recording to {output}",
                                    flush=True))


def _sink(output: str, rotate_bytes: int | None, kafka_option: tuple[str, ...], kafka_config: Path | None) -> Sink:
    """A JSONL file in a folder that exists, or a Kafka topic (``kafka://HOST:PORT/TOPIC``) produced to with the
    settings of ``-X`` and ``--kafka-config`` (read as ``build --source kafka`` reads them)."""
    if output.startswith("kafka://"):
        try:
            bootstrap, topic = kafka_target(output)
        except ValueError as exc:
            raise UsageError(f"-o {exc}") from None
        from specbuild.kafka.client import producer_config  # confluent_kafka only when Kafka is the sink

        return KafkaRecordSink(bootstrap, topic, producer_config(bootstrap, "none", kafka_option, kafka_config))
    if kafka_option or kafka_config is not None:
        raise UsageError("-X and --kafka-config are for -o kafka://HOST:PORT/TOPIC; a file sink reads no broker")
    path = Path(output)
    if not path.parent.is_dir():
        raise UsageError(f"-o {output}: the folder {path.parent} does not exist")
    # the sink drops what it cannot write (an app never fails for its recorder): said here, not after
    # a session whose every record was lost
    if path.is_dir():
        raise UsageError(f"-o {output}: is a folder; the records are appended to a file", hint="e.g. -o rec.jsonl")
    try:  # not created here: a session that records nothing leaves no file
        if path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC))
        elif not os.access(path.parent, os.W_OK | os.X_OK):
            raise PermissionError(13, os.strerror(13))
    except OSError as exc:
        raise UsageError(f"-o {output}: cannot append to it ({exc.strerror})") from None
    return JsonlSink(path, max_bytes=rotate_bytes)


def register(app: typer.Typer) -> None:
    """Add ``record`` to the CLI (cli.main() calls this when the module is there)."""
    app.command("record", cls=Command, epilog=examples(
        "specbuild record --upstream http://localhost:8000 -o rec.jsonl        # then point clients at :8080",
        "specbuild record --upstream http://localhost:8000 --listen :9000 -o kafka://localhost:9092/http_recordings",
        "specbuild record --upstream https://api.internal --include-path '/api/**' --rotate-bytes 100000000 "
        "-o rec.jsonl"))(record)
