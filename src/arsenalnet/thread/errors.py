"""Errors of the digital thread: a statement refused at registration, a check that failed."""

from arsenalnet.model.errors import ArsenalError, InputError


class StatementRefused(InputError):
    """A statement (or receipt) was refused: malformed, wrongly signed, or against the policy.
    Nothing was appended."""


class VerificationError(ArsenalError):
    """A signature, receipt, tree head or stored entry did not verify (the message names it)."""
