"""Service tickets: warranty and installation issues on completed jobs, and general requests."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pulsebi.seed.calendar import Calendar, to_timestamps

JOB_TICKET_RATE = 0.22
OTHER_TICKETS = 0.6  # tickets without a job, per job ticket
JOB_CATEGORIES = (["warranty", "installation", "damage"], [0.5, 0.35, 0.15])
OTHER_CATEGORIES = (["billing", "scheduling", "general"], [0.35, 0.4, 0.25])
PRIORITIES = np.array(["low", "normal", "high", "urgent"], dtype=object)
PRIORITY_P = [0.25, 0.5, 0.18, 0.07]
MEDIAN_HOURS = np.array([110.0, 52.0, 20.0, 5.0])
CSAT_P = [0.05, 0.07, 0.13, 0.33, 0.42]
DAY = 86400


def make_tickets(
    cal: Calendar, rng: np.random.Generator, jobs: pd.DataFrame, history_end: int
) -> pd.DataFrame:
    done = jobs[jobs["status"] == "completed"]
    done = done[rng.random(len(done)) < JOB_TICKET_RATE]
    completed = done["completed_at"].to_numpy().astype("datetime64[s]").astype(np.int64)
    opened_job = completed + rng.integers(DAY, 200 * DAY, len(done))
    keep = opened_job < history_end
    job_id = done["id"].to_numpy()[keep]
    job_branch = done["branch_id"].to_numpy()[keep]
    opened_job = opened_job[keep]
    n_other = rng.poisson(OTHER_TICKETS * len(job_id))
    first = cal.to_utc(np.array([cal.first_day]), np.array([0]))[0]
    opened_other = rng.integers(first, history_end, n_other)
    branch_w = np.bincount(job_branch, minlength=6)[1:] + 1.0
    other_branch = rng.choice(5, n_other, p=branch_w / branch_w.sum()) + 1
    n = len(job_id) + n_other
    category = np.concatenate(
        [
            rng.choice(JOB_CATEGORIES[0], len(job_id), p=JOB_CATEGORIES[1]),
            rng.choice(OTHER_CATEGORIES[0], n_other, p=OTHER_CATEGORIES[1]),
        ]
    ).astype(object)
    opened = np.concatenate([opened_job, opened_other])
    priority = rng.choice(4, n, p=PRIORITY_P)
    hours = MEDIAN_HOURS[priority] * rng.lognormal(0, 0.7, n)
    resolved = opened + (hours * 3600).astype(np.int64)
    is_resolved = resolved < history_end
    # slow resolutions tend to disappoint
    mood = np.clip(rng.choice(5, n, p=CSAT_P) + 1 - (hours > 3 * MEDIAN_HOURS[priority]), 1, 5)
    has_csat = is_resolved & (rng.random(n) < 0.65)
    frame = pd.DataFrame(
        {
            "branch_id": np.concatenate([job_branch, other_branch]),
            "job_id": pd.array(np.concatenate([job_id, np.full(n_other, None)]), "Int64"),
            "opened_at": opened,
            "resolved_at": to_timestamps(resolved, is_resolved),
            "category": category,
            "priority": PRIORITIES[priority],
            "csat": pd.array(np.where(has_csat, mood, None), "Int64"),
        }
    ).sort_values("opened_at", kind="stable", ignore_index=True)
    frame["opened_at"] = to_timestamps(frame["opened_at"].to_numpy())
    frame.insert(0, "id", np.arange(1, n + 1))
    return frame
