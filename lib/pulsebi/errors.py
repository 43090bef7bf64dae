"""One root for every error Pulse BI raises on purpose.

Messages name the thing that is wrong and, where there is one, the fix. The CLI turns a
`PulseBIError` into its message on stderr and the error's `exit_code`.
"""


class PulseBIError(Exception):
    """Root of all Pulse BI errors."""

    exit_code = 1


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
