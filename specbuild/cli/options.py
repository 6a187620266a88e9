"""Option values that several commands share (a small module: the CLI loads it at start-up, while the
modules of the commands that use them are loaded only when those commands run)."""

from __future__ import annotations

from enum import StrEnum


class Format(StrEnum):
    """How a drift report is written."""

    text = "text"
    json = "json"
    markdown = "markdown"
    github = "github"


class FailOn(StrEnum):
    """The severity of a finding or change from which a check fails (exit 1)."""

    breaking = "breaking"
    warning = "warning"
    info = "info"
    never = "never"
