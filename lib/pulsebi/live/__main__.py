"""`python -m pulsebi.live`: the live worker with the environment's settings."""

from pulsebi.live.process import serve_worker
from pulsebi.settings import get_settings

serve_worker(get_settings())
