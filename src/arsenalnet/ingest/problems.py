"""Problems found in an input, and the error that rejects an import whole."""

from dataclasses import dataclass

from arsenalnet.model.errors import InputError

MAX_SHOWN = 50


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with an input: where (file, 1-based line and column) and why.

    ``line`` is the physical line of a CSV or JSON Lines file (the header is line
    1) or the 1-based row of a Parquet file; ``column`` is the 1-based position
    of the field in that row (0 when the problem concerns the whole row).
    """

    file: str
    line: int
    column: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.reason}"


class ImportRejected(InputError):
    """An import was rejected whole: nothing was written.

    ``problems`` holds every problem found, sorted by file, line and column;
    ``total`` counts them all when more were found than were kept.
    """

    def __init__(self, problems: list[Problem], total: int | None = None):
        self.problems = sorted(problems)
        self.total = max(total or 0, len(problems))
        first = self.problems[0] if self.problems else "no details"
        more = f" (and {self.total - 1} more problems)" if self.total > 1 else ""
        super().__init__(f"import rejected, nothing written: {first}{more}")

    def diagnostics(self) -> str:
        """Every problem on its own line (first 50), then how many more were found."""
        lines = [str(p) for p in self.problems[:MAX_SHOWN]]
        if self.total > MAX_SHOWN:
            lines.append(f"… and {self.total - MAX_SHOWN} more problems")
        lines.append(f"import rejected: {self.total} problem(s); the store is unchanged")
        return "\n".join(lines)
