"""What `pulsebi serve` sets up inside every dashboard kernel: an IPython extension.

``pulsebi serve`` points its kernels at an IPython profile of its own (``IPYTHONDIR``, see
:func:`write_kernel_profile`) that loads this module before the notebook's first cell runs:

- the page framework's request source (`pulsebi.dashboards.request`) becomes
  :func:`pulsebi.serve.params.request_params`, so a page follows its URL (``?branch=DAL``)
  without the feature layer importing this face, and without each notebook having to;
- the ``pulsebi`` loggers write to the kernel's original stderr, which is the server's log
  (the terminal of ``pulsebi serve``, ``<data dir>/run/serve-main.log`` under ``pulsebi up``);
- an exception that escapes a cell is logged there with an error id, and the viewer sees the
  id in the page's error box (a viewer's mistake, a UsageError, sees its message instead).

Papermill and JupyterLab kernels load none of this: there is no request and no viewer there.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

EXTENSION = "pulsebi.serve.kernel"
LOG_FORMAT = "[pulsebi kernel %(process)d %(asctime)s %(levelname)s %(name)s] %(message)s"
ERROR_METADATA = {"pulsebi": "error"}  # the template shows this output instead of Voilà's box

log = logging.getLogger("pulsebi.serve.kernel")

PROFILE_CONFIG = f"""# Written by `pulsebi serve` (pulsebi.serve.kernel); rewritten at each start.
c.InteractiveShellApp.extensions = [{EXTENSION!r}]
c.HistoryManager.enabled = False  # dashboard kernels keep no input history
"""


def write_kernel_profile(ipython_dir: Path) -> Path:
    """The IPython directory whose default profile loads this extension; returns it."""
    profile = ipython_dir / "profile_default"
    profile.mkdir(parents=True, exist_ok=True)
    (profile / "ipython_kernel_config.py").write_text(PROFILE_CONFIG)
    return ipython_dir


def load_ipython_extension(shell: Any) -> None:
    """IPython's entry point: install the request source, the log handler and the crash box."""
    from pulsebi.dashboards.request import set_request_source
    from pulsebi.serve.params import request_params

    set_request_source(request_params)
    send_logs_to_server()
    shell.set_custom_exc((Exception,), show_crash)


def send_logs_to_server(level: int = logging.WARNING) -> None:
    """Make the ``pulsebi`` loggers write to the server's log (once per kernel)."""
    logger = logging.getLogger("pulsebi")
    if any(getattr(h, "pulsebi_server_log", False) for h in logger.handlers):
        return
    handler = logging.StreamHandler(server_stderr())
    handler.pulsebi_server_log = True  # type: ignore[attr-defined]
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.setLevel(level)
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > level:
        logger.setLevel(level)


def server_stderr() -> Any:
    """The kernel process's original stderr (the server's log).

    ipykernel sends what the kernel writes to stderr to the page (which hides it) and keeps a
    copy of the original file descriptor; writing there reaches only the server's log."""
    original = getattr(sys.stderr, "_original_stdstream_copy", None)
    if original is None:
        return sys.__stderr__
    return os.fdopen(os.dup(original), "w", buffering=1, encoding="utf-8", errors="replace")


def show_crash(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None):
    """IPython's custom exception handler: log the traceback with an id, show a box with it.

    Returns the structured traceback IPython sends on (Voilà strips it from the page)."""
    from IPython.display import HTML, display

    from pulsebi.dashboards.notices import crash_html, log_crash, notice_html
    from pulsebi.errors import UsageError

    if isinstance(value, UsageError):
        display(HTML(notice_html(str(value))), metadata=ERROR_METADATA)
        return [f"{etype.__name__}: {value}"]
    error_id = log_crash("a dashboard cell", value)
    display(HTML(crash_html(error_id)), metadata=ERROR_METADATA)
    return [f"{etype.__name__} (error id {error_id})"]
