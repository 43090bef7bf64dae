"""API request logs and health checks of the company's services, with a few incidents."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pulsebi.seed.calendar import WEEKDAY, Calendar, to_timestamps

# service, requests per day at scale 1, 5xx rate, endpoints with their median latency (ms)
SERVICES = [
    ("crm-api", 40, 0.004, {"/leads": 45, "/appointments": 60, "/sales": 80, "/search": 220}),
    ("scheduler", 22, 0.006, {"/slots": 35, "/book": 120, "/reschedule": 140}),
    ("billing", 14, 0.003, {"/invoices": 90, "/payments": 180, "/export": 650}),
    ("customer-portal", 30, 0.009, {"/login": 70, "/status": 40, "/documents": 260}),
]
HOUR_WEIGHT = np.array(
    [1, 1, 1, 1, 1, 2, 4, 7, 10, 12, 12, 12, 11, 12, 12, 11, 10, 8, 6, 5, 4, 3, 2, 1], dtype=float
)
INCIDENTS_PER_YEAR = 3
CLIENT_ERRORS = ([400, 401, 404], [0.4, 0.2, 0.4])
DAY = 86400


def _incidents(cal: Calendar, rng: np.random.Generator, history_end: int) -> list[np.ndarray]:
    """Per service: (start, end) epoch-second windows when it was degraded."""
    first = cal.to_utc(np.array([cal.first_day]), np.array([0]))[0]
    out = []
    for _ in SERVICES:
        n = max(1, round(INCIDENTS_PER_YEAR * cal.n_days / 365))
        start = np.sort(rng.integers(first, history_end - DAY, n))
        out.append(np.stack([start, start + rng.integers(1800, 6 * 3600, n)], axis=1))
    return out


def _in_windows(at: np.ndarray, windows: np.ndarray) -> np.ndarray:
    inside = np.zeros(len(at), bool)
    for start, end in windows:
        inside |= (at >= start) & (at < end)
    return inside


def make_tech(
    cal: Calendar, rng: np.random.Generator, scale: float, history_end: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    incidents = _incidents(cal, rng, history_end)
    days = cal.days()
    growth = 1.25 ** ((days - cal.first_day) / 365.25)
    load = WEEKDAY[(days + 3) % 7] * growth
    requests, checks = [], []
    for (service, per_day, error_rate, endpoints), windows in zip(SERVICES, incidents, strict=True):
        counts = rng.poisson(per_day * scale * load)
        day = np.repeat(days, counts)
        hour = rng.choice(24, len(day), p=HOUR_WEIGHT / HOUR_WEIGHT.sum())
        at = cal.to_utc(day, hour * 3600 + rng.integers(0, 3600, len(day)))
        at = np.where(at < history_end, at, -1)  # history up to a time of day: dropped below
        names = np.array(list(endpoints), dtype=object)
        endpoint = rng.integers(0, len(names), len(at))
        latency = np.array(list(endpoints.values()))[endpoint] * rng.lognormal(0, 0.45, len(at))
        bad = _in_windows(at, windows)
        latency = np.where(bad, latency * rng.uniform(3, 8, len(at)), latency)
        roll = rng.random(len(at))
        server_error = roll < np.where(bad, 0.3, error_rate)
        client_error = ~server_error & (roll > 0.97)
        code = np.where(rng.random(len(at)) < 0.85, 200, 201)
        code = np.where(
            client_error, rng.choice(CLIENT_ERRORS[0], len(at), p=CLIENT_ERRORS[1]), code
        )
        code = np.where(server_error, rng.choice([500, 502, 503], len(at)), code)
        requests.append(
            pd.DataFrame(
                {
                    "ts": at,
                    "service": service,
                    "endpoint": names[endpoint],
                    "status_code": code,
                    "latency_ms": np.round(latency, 2).astype(np.float32),
                }
            )
        )
        per_day_checks = int(np.clip(round(48 * scale), 4, 288))
        step = DAY // per_day_checks
        first = cal.to_utc(np.array([cal.first_day]), np.array([0]))[0]
        ts = np.arange(first, history_end, step)
        ok = ~_in_windows(ts, windows) & (rng.random(len(ts)) > 0.002)
        checks.append(pd.DataFrame({"ts": ts, "service": service, "ok": ok}))
    api = pd.concat(requests, ignore_index=True)
    api = api[api["ts"] >= 0].sort_values(["ts", "service"], kind="stable")
    health = pd.concat(checks, ignore_index=True).sort_values(["ts", "service"], kind="stable")
    for frame, col in ((api, "ts"), (health, "ts")):
        frame[col] = to_timestamps(frame[col].to_numpy())
        frame.insert(0, "id", np.arange(1, len(frame) + 1))
    return api.reset_index(drop=True), health.reset_index(drop=True)
