"""`pulsebi serve`: the Voilà deployments of Pulse BI's dashboards.

A deployment (:class:`Deployment`, see ``DEPLOYMENTS``) serves some notebook directories of the
checkout (the main one: ``notebooks/`` and ``scorecards/``; ``cmo`` serves ``cmo/`` on the next
port) with a template from ``voila_templates/`` (company header, navigation between the served
dashboards, no code cells, friendly errors instead of tracebacks, nothing fetched from a CDN, and a
banner when the page loses its kernel).

Login is always required, for pages, API and kernel WebSockets alike:

- token: ``PULSEBI_SERVE_TOKEN``; unset, a random one is made once and kept in
  ``<data dir>/serve/token``. Open ``http://host:port/?token=<token>`` once (a cookie keeps the
  login), or type the token on the login page. ``pulsebi up`` prints the URL with it.
- password: ``PULSEBI_SERVE_PASSWORD_HASH`` holds a hash made by ``pulsebi serve --hash-password``;
  viewers then log in with the password. With only a password set, there is no token.

Other settings: ``PULSEBI_SERVE_HOST`` / ``PULSEBI_SERVE_PORT`` (listen address),
``PULSEBI_SERVE_POOL`` (preheated kernels kept ready for the executive dashboard),
``PULSEBI_SERVE_CULL`` / ``PULSEBI_SERVE_CULL_EVERY`` (a kernel whose page went away without
saying so is shut down after that many idle seconds, even while its live tiles keep sending).
A closed or reloaded page shuts its kernel down at once. The query string (``?branch=DAL``)
reaches a notebook through :func:`request_params`, preheated or not.

Importing this package is cheap (kernels import it); the server lives in ``pulsebi.serve.app``.
"""

from pulsebi.serve.deployment import DEPLOYMENTS, Deployment, get_deployment
from pulsebi.serve.params import request_params

__all__ = ["DEPLOYMENTS", "Deployment", "get_deployment", "request_params"]
