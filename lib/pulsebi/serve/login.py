"""The login page of a deployment: the product's look, one field (the token or the password,
whichever is configured), "wrong token" in place, and back to the page asked for.

Jupyter's stock page (``jupyter server list``, "Setup a Password") is replaced by swapping the
identity provider's login and logout handlers (:func:`use_pulse_login`); the page itself is
``login.html`` of the deployment's Voilà template (``voila_templates/pulsebi/login.html``).
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlencode, urlsplit

import jinja2
from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.auth.logout import LogoutHandler
from jupyter_server.log import log_request
from jupyter_server.utils import url_path_join
from voila.paths import collect_template_paths
from voila.voila_identity_provider import VoilaLoginHandler

TEMPLATE = "login.html"
SETTINGS_KEY = "pulsebi_login"


def safe_next(target: str | None, base_url: str) -> str:
    """`target` if it is a path on this server, else the home page: never another site.

    Refused: anything with a scheme or host (``https://x``, ``//x``), backslashes (browsers read
    ``\\`` as ``/``), control characters, and paths outside ``base_url``.
    """
    if not target or any(ch == "\\" or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return base_url
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith("//"):
        return base_url
    if not target.startswith("/") or not (parts.path + "/").startswith(base_url):
        return base_url
    return target


def login_kind(identity_provider: Any) -> str:
    """What the page asks for: "token", "password", or "password or token" (both set)."""
    has_password = bool(getattr(identity_provider, "hashed_password", ""))
    has_token = bool(identity_provider.token)
    if has_password and has_token:
        return "password or token"
    return "password" if has_password else "token"


class PulseLoginHandler(VoilaLoginHandler):
    """Jupyter's login form handler with Pulse BI's page and a strict `next`."""

    def _render(self, message: dict | None = None) -> None:
        page = self.settings[SETTINGS_KEY]
        kind = login_kind(self.identity_provider)
        error = f"Wrong {kind}. Try again." if message and message.get("error") else None
        target = safe_next(self.get_argument("next", default=None), self.base_url)
        template = page["env"].get_template(TEMPLATE)
        self.write(
            template.render(
                title=page["title"],
                kind=kind,
                error=error,
                action=url_path_join(self.base_url, "login") + "?" + urlencode({"next": target}),
                base_url=self.base_url,
                static=url_path_join(self.base_url, "voila/templates", page["template"], "static"),
                xsrf_form_html=self.xsrf_form_html(),
            )
        )

    def _redirect_safe(self, url: str, default: str | None = None) -> None:
        self.redirect(safe_next(url, self.base_url))


class PulseLogoutHandler(LogoutHandler):
    """Log out, then show the login page (not Jupyter's "Successfully logged out")."""

    @allow_unauthenticated
    def get(self) -> None:
        self.identity_provider.clear_login_cookie(self)
        self.redirect(url_path_join(self.base_url, "login"))


def login_environment(template: str) -> jinja2.Environment:
    """A Jinja environment reading the deployment template's directories (login.html)."""
    paths = collect_template_paths(["voila", "nbconvert"], template)
    return jinja2.Environment(loader=jinja2.FileSystemLoader(paths), autoescape=True)


class ScrubTokens(logging.Filter):
    """Replace the value of a ``token=`` query parameter in a log record by ``[secret]``."""

    pattern = re.compile(r"([?&]token=)[^&\s#]+")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = self.pattern.sub(r"\1[secret]", message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, ()
        return True


def scrub_tornado_logs() -> None:
    """Tornado names a failed request by its full URI (``404 GET /x?token=...``): scrub it."""
    for name in ("tornado.general", "tornado.application", "tornado.access"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, ScrubTokens) for f in logger.filters):
            logger.addFilter(ScrubTokens())


def use_pulse_login(app: Any) -> None:
    """Give a Voilà app (after its settings are made) Pulse BI's login and logout pages, no
    password change from the login form, and request logs with tokens scrubbed."""
    provider = app.identity_provider
    provider.login_handler_class = PulseLoginHandler
    provider.logout_handler_class = PulseLogoutHandler
    if hasattr(provider, "allow_password_change"):
        provider.allow_password_change = False
    resources = app.voila_configuration.resources or {}
    title = resources.get("pulsebi", {}).get("title") or "Pulse BI"
    template = app.voila_configuration.template
    app.tornado_settings = {
        **app.tornado_settings,
        SETTINGS_KEY: {"title": title, "template": template, "env": login_environment(template)},
        "log_function": log_request,  # Tornado's own would log ?token=... in full
    }
    scrub_tornado_logs()
