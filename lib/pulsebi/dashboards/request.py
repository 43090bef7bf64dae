"""The serving request's parameters (the page's query string, ``?branch=DAL``), for pages.

Features never import faces, so a page asks this small registry, and the serving face fills it
in: ``pulsebi serve`` loads its IPython extension (``pulsebi.serve.kernel``) into every dashboard
kernel it starts, and the extension calls :func:`set_request_source`. Anywhere else (Papermill,
JupyterLab, tests) no source is set: there is no request, and the notebook's parameters apply.

    from pulsebi.dashboards.request import request_params
    query = request_params()   # {} outside a served kernel
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

RequestSource = Callable[[], Mapping[str, str]]

_source: RequestSource | None = None


def set_request_source(source: RequestSource | None) -> None:
    """Make `source()` the answer of :func:`request_params` in this process (None: no request).

    Parameters
    ----------
    source
        Returns the request's query parameters, first value of each; in a preheated kernel it
        may block until a viewer asks for the page.
    """
    global _source
    _source = source


def request_params() -> dict[str, str]:
    """The serving request's query parameters (a copy); empty when nothing serves this kernel.

    Returns
    -------
    dict
        Parameter name → value. Values are untrusted input: check them (e.g. with
        `pulsebi.dashboards.filters.resolve_filters`) before use.
    """
    return dict(_source()) if _source is not None else {}
