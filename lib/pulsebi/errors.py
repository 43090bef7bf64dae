"""One root for every error Pulse BI raises on purpose.

Messages name the thing that is wrong and, where there is one, the fix. The CLI turns a
`PulseBIError` into its message on stderr and the error's `exit_code`.
"""


class PulseBIError(Exception):
    """Root of all Pulse BI errors.

    Every one survives `pickle` and `copy` (Celery and multiprocessing hand errors across
    processes), whatever its subclass's `__init__` takes: it is rebuilt from its message and
    attributes, without calling `__init__` again.
    """

    exit_code = 1

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (type(self), self.args, self.__dict__))


def _rebuild(cls: type[PulseBIError], args: tuple, state: dict) -> PulseBIError:
    error = cls.__new__(cls, *args)  # BaseException.__new__ sets args (the message)
    error.__dict__.update(state)
    return error


class UsageError(PulseBIError):
    """The caller asked for something that does not exist or does not fit (bad metric, date...)."""

    exit_code = 2


class ConfigError(PulseBIError):
    """A setting is missing or malformed."""

    exit_code = 2


class ServiceError(PulseBIError):
    """A server (PostgreSQL, Redis, SMTP) could not be started or reached."""

    exit_code = 3


class ImportRejected(PulseBIError):
    """A CSV import was rejected; nothing was loaded.

    `problems` lists every `(file, line, column, reason)` found, first ones first.
    """

    exit_code = 2

    def __init__(self, problems: list[tuple[str, int | None, str | None, str]]):
        self.problems = problems
        lines = [_format_problem(*p) for p in problems[:20]]
        more = len(problems) - len(lines)
        if more > 0:
            lines.append(f"... and {more} more")
        super().__init__("import rejected, nothing was loaded:\n  " + "\n  ".join(lines))


def _format_problem(file: str, line: int | None, column: str | None, reason: str) -> str:
    where = file
    if line is not None:
        where += f", line {line}"
    if column is not None:
        where += f", column {column}"
    return f"{where}: {reason}"


class NotebookFailed(PulseBIError):
    """A report notebook raised while it ran; `cell_index` (0-based, in the notebook as written),
    `source` and `traceback` say where and why. Not retried: running it again fails the same way."""

    exit_code = 4

    def __init__(self, notebook: str, cell_index: int, source: str, error: str, traceback: str):
        self.notebook = notebook
        self.cell_index = cell_index
        self.source = source
        self.error = error
        self.traceback = traceback
        super().__init__(
            f"notebook {notebook} failed in cell {cell_index} (0-based) with {error}:\n"
            f"{source}\n{traceback}"
        )


class DeliveryDeferred(PulseBIError):
    """A report could not be delivered yet (SMTP or database unreachable); worth retrying."""

    exit_code = 3


class DeliveryRejected(PulseBIError):
    """The SMTP server refused the message for good (5xx): retrying will not help."""

    exit_code = 3


class DeliveryUncertain(PulseBIError):
    """The connection broke after the message was handed over: it may or may not have been
    accepted. Not resent automatically (a second email is worse than a missing one)."""

    exit_code = 3
