"""The project's own error types. The command line turns them into one plain line and an exit status."""

from __future__ import annotations


class ChisoError(Exception):
    """Base class: every error the workbench raises on purpose."""

    exit_status = 1


class UsageError(ChisoError):
    """Bad command-line input: a malformed WEEK, an unknown district, a file that cannot be opened."""

    exit_status = 2


class InputError(ChisoError):
    """Invalid content in an input file. Names the file and the 1-based line where the problem is."""

    exit_status = 1

    def __init__(self, source: str, line: int | None, message: str):
        self.source, self.line, self.message = source, line, message
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {message}")

    def __reduce__(self):  # pickled as its three parts (raised in a worker process of a parallel ingest)
        return type(self), (self.source, self.line, self.message)


class ParamsError(ChisoError):
    """A file in params/ is missing a key or holds a value out of range."""

    exit_status = 2
