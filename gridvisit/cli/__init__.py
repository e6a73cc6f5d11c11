"""The command line: starts the GUI, or runs a headless command.

One module per command group, each with `register(subparsers)` beside its
`_cmd_*` handlers; `session` logs in and maps errors to exit codes; `parser`
holds the shared options. See docs/architecture.md#the-command-line.
"""

from gridvisit.cli.main import build_parser, main

__all__ = ["build_parser", "main"]
