"""``specbuild render``: the spec of a group of followers (``--state kafka``), from its state topic alone.

It writes the spec every member writes: the merge of each partition's latest committed state. For a CI job
or a reader that does not consume; it joins no group and commits nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from specbuild.cli.app import read_base
from specbuild.cli.console import Reporter
from specbuild.cli.helptext import Command, examples
from specbuild.cli.options import (
    APIVersion,
    BasePath,
    BootstrapServers,
    Examples,
    FilePaths,
    KafkaConfig,
    KafkaOption,
    NoEnums,
    NoEvidence,
    OpenAPI,
    OpenAPIVersion,
    Quiet,
    ServerURL,
    SpecFormat,
    SpecFormatOption,
    StartSpec,
    Title,
)
from specbuild.cli.settings import output_settings
from specbuild.errors import InputError
from specbuild.io.files import locked
from specbuild.kafka.client import consumer_config
from specbuild.kafka.group import read_group
from specbuild.run import build_document, write_document


def render(
    state_topic: Annotated[str, typer.Option("--state-topic", envvar="SPECBUILD_STATE_TOPIC", metavar="TOPIC",
                           help="The group's state topic (GROUP.specbuild-state for --group-id GROUP, "
                                "unless the followers named another).")],
    output: Annotated[str, typer.Option("--output", "-o", envvar="SPECBUILD_OUTPUT", metavar="DIR",
                      help="Output folder (gets openapi.json / openapi.yaml); '-' for stdout.")],
    bootstrap_servers: BootstrapServers = "localhost:9092",
    kafka_option: KafkaOption = None,
    kafka_config: KafkaConfig = None,
    fmt: SpecFormatOption = SpecFormat.json,
    spec: StartSpec = None,
    openapi: OpenAPI = OpenAPIVersion.v30,
    title: Title = "API learned by specbuild",
    api_version: APIVersion = "0.1.0",
    server_url: ServerURL = None,
    base_path: BasePath = None,
    no_enums: NoEnums = False,
    no_evidence: NoEvidence = False,
    file_paths: FilePaths = False,
    examples_: Examples = False,
    quiet: Quiet = False,
) -> None:
    """Write the spec of a group of followers (--state kafka) from its state topic: the one every member
    writes (give the output options the followers were given, --spec among them)."""
    conf = consumer_config(bootstrap_servers, "specbuild", "earliest", tuple(kafka_option or ()), kafka_config)
    out = output_settings(output, fmt, spec, openapi, title, api_version, server_url, base_path, examples=examples_,
                          enums=not no_enums, evidence=not no_evidence, file_paths=file_paths)
    base = read_base(out.start, quiet)
    with Reporter(quiet=quiet) as reporter:
        builder, states = read_group(conf, state_topic, reporter.note)
        if not states:
            raise InputError(f"the state topic {state_topic} holds no state yet",
                             hint="a follower with --state kafka writes one at its first checkpoint")
        doc = build_document(builder, out.render, base)
        if output == "-":
            write_document(doc, "-", out.fmt)
            return
        with locked(Path(output), "another specbuild is writing into this folder", hint="give each its own -o"):
            target = write_document(doc, output, out.fmt)
        reporter.note(f"specbuild: {builder.exchanges:,} exchanges from {states} partition states -> {target}")


def register(app: typer.Typer) -> None:
    """Add ``render`` to the CLI (cli.main() calls this when the module is there)."""
    app.command("render", cls=Command, epilog=examples(
        "specbuild render --state-topic specbuild.specbuild-state -b kafka:9092 -o group_spec",
        "specbuild render --state-topic orders.specbuild-state -o - --format yaml   # to stdout",
        "specbuild render --state-topic orders.specbuild-state --spec openapi.json -o group_spec"
        "   # over a person's spec"))(render)
