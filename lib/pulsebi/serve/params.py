"""The page's query string (``?branch=DAL``), read from inside a dashboard's kernel.

Without preheating, Voilà puts the request in the kernel's environment (``QUERY_STRING``). With
preheating the notebook starts running before anyone asks for it: the query string is only known
once Voilà hands the kernel to a request, so the call blocks until then. Cells above the call are
run ahead of time; put it right after the slow imports. Outside Voilà (Papermill, JupyterLab)
there is no request: the result is empty and the notebook's own parameters apply.
"""

from __future__ import annotations

import os
from urllib.parse import parse_qsl

_cached: dict[str, str] | None = None


def request_params() -> dict[str, str]:
    """The page's query parameters, first value of each (empty outside Voilà).

    Values are untrusted input: check them against what the page allows before using them.
    """
    global _cached
    if _cached is None:
        if os.environ.get("VOILA_PREHEAT") == "True":
            from voila.utils import wait_for_request  # slow import: paid during the pre-run

            wait_for_request()
        _cached = {}
        for key, value in parse_qsl(os.environ.get("QUERY_STRING", ""), keep_blank_values=True):
            _cached.setdefault(key, value)
    return dict(_cached)
