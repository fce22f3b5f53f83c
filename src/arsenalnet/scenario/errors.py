"""The scenario layer's one error: a bad scenario file, pinned to a file and line."""

from arsenalnet.model.errors import ArsenalError, InputError


class ScenarioError(InputError):
    """A scenario file is wrong; the message is ``"<file>:<line>: <reason>"`` (one line, exit code 2).

    ``line`` is 1-based: the line of the YAML key, list item or value at fault.
    """

    def __init__(self, file: str, line: int, reason: str) -> None:
        self.file = file
        self.line = line
        self.reason = reason
        super().__init__(f"{file}:{line}: {reason}")


class SweepError(InputError):
    """A sweep cannot run as asked (``--runs 0``, an unreachable Ray cluster, a draw that does
    not exist); the message is one line (exit code 2)."""


class ExecutorError(ArsenalError):
    """Where a sweep was to run failed to start (a local Ray that did not come up); exit code 1."""
