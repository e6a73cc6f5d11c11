"""The bundle's entry point (build.spec), for both Windows executables: the command
line, with its messages in a dialog when there is no console (gridvisit.console)."""

from __future__ import annotations

import sys


def main() -> int:
    from gridvisit.cli import main as cli_main
    from gridvisit.console import run

    return run(cli_main)


if __name__ == "__main__":
    sys.exit(main())
