"""The page's query string (``?branch=DAL``), read from inside a dashboard's kernel.

Without preheating, Voilà puts the request in the kernel's environment (``QUERY_STRING``). With
preheating the notebook starts running before anyone asks for it: the query string is only known
once Voilà hands the kernel to a request, so the call blocks until then. Cells above the call are
run ahead of time; put it right after the slow imports. Outside Voilà (Papermill, JupyterLab)
there is no request: the result is empty and the notebook's own parameters apply.

Voilà's own `voila.utils.wait_for_request()` does the same wait, but importing it pulls in the
Jupyter server (+~55 MiB in every dashboard kernel); this asks Voilà's request-info socket directly.
"""

from __future__ import annotations

import json
import os
from urllib.parse import parse_qsl

_cached: dict[str, str] | None = None


def request_params() -> dict[str, str]:
    """The page's query parameters, first value of each (empty outside Voilà).

    Values are untrusted input: check them against what the page allows before using them. The
    login token (``?token=``) is the server's business, never the page's: it is left out.
    """
    global _cached
    if _cached is None:
        if os.environ.get("VOILA_PREHEAT") == "True":
            wait_for_request()
        _cached = {}
        for key, value in parse_qsl(os.environ.get("QUERY_STRING", ""), keep_blank_values=True):
            if key != "token":
                _cached.setdefault(key, value)
    return dict(_cached)


def wait_for_request(timeout: float = 24 * 3600) -> None:
    """Block until Voilà hands this preheated kernel to a request; put the request in os.environ.

    Voilà answers on ``/voila/query/<kernel id>`` with the request's CGI-like variables
    (``QUERY_STRING``, ``SCRIPT_NAME``...), once the page is asked for.
    """
    from websockets.sync.client import connect

    env = os.environ
    server_url = env.get("VOILA_SERVER_URL", "/")
    url = "{}://{}:{}{}voila/query/{}".format(
        env.get("VOILA_WS_PROTOCOL", "ws"),
        env.get("VOILA_APP_IP", "127.0.0.1"),
        env.get("VOILA_APP_PORT", "8866"),
        env.get("VOILA_WS_BASE_URL", server_url),
        env["VOILA_KERNEL_ID"],
    )
    with connect(url, open_timeout=30, close_timeout=1) as socket:
        info = json.loads(socket.recv(timeout=timeout))
    env.update({str(key): str(value) for key, value in info.items()})
