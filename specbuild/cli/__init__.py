"""The command line (typer): options in, exit codes out; the one place errors become exit codes."""

from specbuild.cli.app import app, main, run

__all__ = ["app", "main", "run"]
