"""The one base error of ArsenalNet.

Every layer raises subclasses of :class:`ArsenalError` that carry what a person
needs to act (file, line, column, reason). The CLI catches it once and prints
its one-line message; exit code 2 for bad input, 1 for anything else.
"""


class ArsenalError(Exception):
    """Base of every error ArsenalNet raises on purpose.

    ``exit_code`` is 2 when the user's input is at fault, 1 otherwise.
    """

    exit_code: int = 1

    def diagnostics(self) -> str:
        """The full, human-readable explanation (may span several lines)."""
        return str(self)


class InputError(ArsenalError):
    """The user's input (a file, an argument, an id) is wrong."""

    exit_code = 2
