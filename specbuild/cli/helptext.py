"""How ``--help`` reads: options in their groups, arguments in the usage line by name, examples verbatim.

The help is click's plain layout (``rich_markup_mode=None``): it fits a CI log or a pipe, and nothing in
it depends on the terminal. Typer shows the ``rich_help_panel`` groups only in its rich layout, so the
plain one listed every option under one heading; :class:`Command` writes a section per group, in the
order the command lists them, with the ungrouped options first.
"""

from __future__ import annotations

from typing import Final

from typer._click import Context, Parameter  # typer ships its own copy of click: these are its classes
from typer._click.formatting import HelpFormatter
from typer.core import TyperCommand

OPTIONS: Final = "Options"


class Command(TyperCommand):
    """A command whose help groups its options by ``rich_help_panel`` and shows its examples as written."""

    def format_options(self, ctx: Context, formatter: HelpFormatter) -> None:
        arguments: list[tuple[str, str]] = []
        groups: dict[str, list[tuple[str, str]]] = {OPTIONS: []}
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:
                continue
            if param.param_type_name == "argument":  # its name is its placeholder: `BASE`, not `BASE <path>`
                arguments.append((_argument_name(param), record[1]))
            else:
                groups.setdefault(getattr(param, "rich_help_panel", None) or OPTIONS, []).append(record)
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        for name, records in groups.items():
            if records:
                with formatter.section(name):
                    formatter.write_dl(records)

    def collect_usage_pieces(self, ctx: Context) -> list[str]:
        # typer writes a required argument as `{base}`; a usage line names it as the help does: BASE
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = _argument_name(param)
                pieces.append(name if param.required else f"[{name}]")
            else:
                pieces.extend(param.get_usage_pieces(ctx))
        return pieces

    def format_epilog(self, ctx: Context, formatter: HelpFormatter) -> None:
        # the examples are commands to copy: written line for line, never re-wrapped
        if self.epilog:
            formatter.write_paragraph()
            for line in self.epilog.strip("\n").splitlines():
                formatter.write(f"{line}\n")


def _argument_name(param: Parameter) -> str:
    return param.metavar or (param.name or "").upper()


def examples(*lines: str) -> str:
    """An epilog of examples: ``examples("specbuild -i rec.jsonl -o spec  # a file")``."""
    return "Examples:\n" + "\n".join(f"  {line}" for line in lines)
