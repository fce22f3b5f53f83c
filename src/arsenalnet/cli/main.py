"""Entry point of the ``arsenal`` command: errors become one readable line and an exit code."""

import os
import sys

from typer.exceptions import TyperException

from arsenalnet.cli import am, build, hbom, industry, mobilize, risk, simulate, sweep, thread, transfer, twin  # noqa: F401  (registers the commands)
from arsenalnet.cli.app import app
from arsenalnet.cli.output import err_console
from arsenalnet.model.errors import ArsenalError


def run() -> None:
    """Run the CLI. ``--debug`` (or ARSENAL_DEBUG=1) shows tracebacks instead of one line."""
    debug = "--debug" in sys.argv or os.environ.get("ARSENAL_DEBUG") == "1"
    if "--debug" in sys.argv:
        sys.argv.remove("--debug")
    try:
        app(standalone_mode=False)
    except ArsenalError as e:
        if debug:
            raise
        err_console.print(e.diagnostics(), markup=False, highlight=False, soft_wrap=True)
        sys.exit(e.exit_code)
    except TyperException as e:  # a usage error: bad command, option or argument
        show = getattr(e, "show", None)
        if callable(show):
            show()
        sys.exit(int(getattr(e, "exit_code", 2)))
    except Exception as e:
        if debug:
            raise
        err_console.print(f"error: {type(e).__name__}: {e}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    run()
