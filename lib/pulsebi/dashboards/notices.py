"""What a page says when something goes wrong: a viewer's mistake, or a crash with an error id.

A viewer's own mistake (``?branch=XXX``, a range that ends before it starts) is a
`pulsebi.errors.UsageError` whose message names the fix: it is shown as is, in place. Anything
else is a crash: its traceback goes to the log under a short error id
(``log_crash``), and the viewer sees a box with that id, so that
``grep <id> <server log>`` finds the details (`pulsebi serve` sends dashboard kernels' logs to
the server's log; ``pulsebi up`` keeps it in ``<data dir>/run/serve-main.log``).
"""

from __future__ import annotations

import html
import logging
import secrets

log = logging.getLogger(__name__)

CRASH_TEXT = "This part could not be shown (error id {id}); the details are in the server's log."


def new_error_id() -> str:
    """A short random id to find one crash's traceback in the log.

    Returns
    -------
    str
        8 hex digits.
    """
    return secrets.token_hex(4)


def log_crash(what: str, error: BaseException) -> str:
    """Log `error`'s traceback at ERROR with a new error id.

    Parameters
    ----------
    what
        What failed, for the log line (e.g. "section 'Revenue' of 'Executive dashboard'").
    error
        The exception caught; its traceback is logged.

    Returns
    -------
    str
        The error id, for the box the viewer sees (`crash_html`).
    """
    error_id = new_error_id()
    trace = (type(error), error, error.__traceback__)
    log.error("%s failed (error id %s)", what, error_id, exc_info=trace)
    return error_id


def crash_html(error_id: str) -> str:
    """The box a viewer sees in place of what crashed.

    Parameters
    ----------
    error_id
        From `log_crash`: the box names it, to find the traceback in the server's log.

    Returns
    -------
    str
        HTML: ``div.pbi-crash`` with ``data-error-id``.
    """
    text = html.escape(CRASH_TEXT.format(id=error_id))
    return (
        f'<div class="pulsebi-error pbi-crash" role="alert" data-error-id="{error_id}">{text}</div>'
    )


def notice_html(message: str) -> str:
    """A viewer's mistake, said in place.

    Parameters
    ----------
    message
        The message of a `pulsebi.errors.UsageError` (it names the fix); escaped.

    Returns
    -------
    str
        HTML: ``div.pbi-notice``.
    """
    return f'<div class="pbi-notice" role="alert">{html.escape(message)}</div>'
