"""Tornado handlers that Pulse BI's Voilà deployments add to, or swap into, Voilà's own."""

from __future__ import annotations

import json
from pathlib import Path

import tornado.web
from jupyter_core.utils import ensure_async
from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.utils import url_path_join
from traitlets import TraitError
from voila.request_info_handler import RequestInfoSocketHandler
from voila.tornado.handler import TornadoVoilaHandler

from pulsebi.serve.deployment import list_pages
from pulsebi.serve.nav import NavRefresher, nav_links

LOOPBACK = ("127.0.0.1", "::1")
STATIC_MAX_AGE = 3600


class CachedStaticMixin:
    """Let the browser keep Voilà's JS bundle and widget JS for an hour.

    Voilà serves them with no max-age, so each page load revalidates ~100 files, one request
    each, on the server's single event loop. An upgrade of Voilà or a widget library takes
    effect in browsers within the hour (or at once with a hard reload).
    """

    def get_cache_time(self, path, modified, mime_type):
        return max(super().get_cache_time(path, modified, mime_type), STATIC_MAX_AGE)


def cached(handler: type) -> type:
    return type(f"Cached{handler.__name__}", (CachedStaticMixin, handler), {})


class PageHandler(TornadoVoilaHandler):
    """Voilà's page handler, plus the ``_xsrf`` cookie and the navigation of the moment.

    Voilà's page sends its close/reload beacon with the ``_xsrf`` cookie's value, but never sets
    that cookie, so the XSRF check refuses the beacon and the kernel lives on
    (voila-dashboards/voila#1458). Reading ``xsrf_token`` sets the cookie: the beacon then passes
    the check, which stays on.

    The navigation lists the notebooks served now, also on a page rendered ahead for a preheated
    kernel (pulsebi.serve.nav).
    """

    async def get(self, path=None):
        _ = self.xsrf_token
        return await super().get(path=path)

    async def get_generator(self, path=None):
        pages = list_pages(Path(self.contents_manager.root_dir))
        refresher = NavRefresher(nav_links(pages, self.base_url))
        async for piece in super().get_generator(path=path):
            if sent := refresher.feed(piece):
                yield sent
        if rest := refresher.close():
            yield rest


class HomeHandler(JupyterHandler):
    """``/``: the deployment's home dashboard (logging in first if needed)."""

    def initialize(self, home: str) -> None:
        self.home = home

    @tornado.web.authenticated
    def get(self) -> None:
        self.redirect(url_path_join(self.base_url, "voila/render", self.home))


class KernelListHandler(APIHandler):
    """``GET /api/kernels``: the running kernels (read-only; Voilà registers no list)."""

    @tornado.web.authenticated
    async def get(self) -> None:
        kernels = []
        for kernel_id in list(self.kernel_manager.list_kernel_ids()):
            try:
                kernels.append(await ensure_async(self.kernel_manager.kernel_model(kernel_id)))
            except (KeyError, tornado.web.HTTPError):
                continue  # shut down while we were listing
            except TraitError:  # still starting: no activity recorded yet
                kernels.append({"id": kernel_id, "execution_state": "starting", "connections": 0})
        self.finish(json.dumps(kernels, default=str))


class LocalRequestInfoHandler(RequestInfoSocketHandler):
    """Voilà's request-info socket for preheated kernels, open to local kernels only.

    It hands a page's query string to the kernel serving it; nobody else needs it.
    """

    def prepare(self):
        if self.request.remote_ip not in LOOPBACK:
            raise tornado.web.HTTPError(403)
        return super().prepare()
