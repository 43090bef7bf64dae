"""Branches, employees (with hires and terminations), lead sources and marketing spend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from pulsebi.seed.calendar import Calendar, day_number, to_dates

# id, code, name, timezone, demand weight, postal prefix, opened (None: opens during history)
BRANCHES = [
    (1, "DAL", "Dallas", "America/Chicago", 1.30, "752", date(2009, 4, 1)),
    (2, "HOU", "Houston", "America/Chicago", 1.20, "770", date(2011, 9, 12)),
    (3, "AUS", "Austin", "America/Chicago", 1.00, "787", date(2014, 2, 3)),
    (4, "SAT", "San Antonio", "America/Chicago", 0.85, "782", date(2017, 6, 5)),
    (5, "OKC", "Oklahoma City", "America/Chicago", 0.70, "731", None),
]
NEW_BRANCH_AT = 0.35  # OKC opens this far into the history

ROLES = ["sales_rep", "canvasser", "telemarketer", "project_manager", "service_tech", "manager"]
SLOTS = {
    "sales_rep": 7,
    "canvasser": 4,
    "telemarketer": 4,
    "project_manager": 2,
    "service_tech": 4,
    "manager": 1,
}
TURNOVER = {
    "sales_rep": 0.35,
    "canvasser": 0.5,
    "telemarketer": 0.5,
    "project_manager": 0.15,
    "service_tech": 0.2,
    "manager": 0.1,
}
STILL_EMPLOYED = 10**7  # a day number far in the future

# name, channel, lead share, appointment ×, closing ×, ticket ×, cost per lead, extra touches
SOURCES = [
    ("Door-to-door canvassing", "canvass", 0.15, 1.05, 0.85, 0.95, 160, 0.1),
    ("Outbound telemarketing", "telemarketing", 0.11, 1.25, 0.75, 0.90, 120, 0.3),
    ("Google Ads", "digital", 0.16, 0.90, 1.00, 1.00, 250, 1.9),
    ("Facebook Ads", "digital", 0.12, 0.70, 0.80, 0.90, 170, 2.2),
    ("HomeAdvisor", "digital", 0.07, 0.80, 0.90, 0.95, 380, 1.2),
    ("Customer referrals", "referral", 0.07, 1.40, 1.50, 1.15, 60, 0.4),
    ("Local TV", "tv", 0.06, 0.90, 1.00, 1.20, 1500, 1.1),
    ("Radio spots", "radio", 0.05, 0.85, 0.90, 1.05, 600, 1.0),
    ("Newspaper inserts", "print", 0.03, 0.80, 0.95, 1.10, 900, 0.6),
    ("Direct mail postcards", "direct_mail", 0.07, 0.95, 1.05, 1.00, 420, 0.8),
    ("Home & garden shows", "event", 0.05, 1.20, 1.25, 1.10, 700, 0.4),
    ("Yard signs", "other", 0.06, 1.00, 1.10, 1.00, 40, 0.2),
]
CANVASS_SOURCE, TELEMARKETING_SOURCE = 1, 2

_FIRST = (
    "James Maria Robert Linda Michael Patricia David Jennifer Carlos Ana Daniel Jessica "
    "Luis Sarah Jose Karen Thomas Nancy Miguel Lisa Kevin Emily Brian Sofia Jason Ashley "
    "Ryan Angela Eric Olivia Juan Megan Tyler Rachel Marcus Laura Andre Nicole Kyle Brenda "
    "Derek Vanessa Trevor Monica Hector Tiffany Cody Diana"
)
FIRST = _FIRST.split()
_LAST = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez "
    "Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson "
    "White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott "
    "Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell"
)
LAST = _LAST.split()


def random_names(rng: np.random.Generator, n: int) -> np.ndarray:
    first = np.array(FIRST, dtype=object)[rng.integers(0, len(FIRST), n)]
    last = np.array(LAST, dtype=object)[rng.integers(0, len(LAST), n)]
    return first + " " + last


def branch_opened(cal: Calendar) -> np.ndarray:
    new = cal.first_day + int(cal.n_days * NEW_BRANCH_AT)
    return np.array([day_number(b[6]) if b[6] else new for b in BRANCHES], np.int64)


def make_branches(cal: Calendar) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": [b[0] for b in BRANCHES],
            "code": [b[1] for b in BRANCHES],
            "name": [b[2] for b in BRANCHES],
            "timezone": [b[3] for b in BRANCHES],
            "opened_on": to_dates(branch_opened(cal)),
        }
    )


def make_employees(cal: Calendar, rng: np.random.Generator) -> pd.DataFrame:
    """About 150 people in all six roles; the first slot of each field role never leaves."""
    opened = branch_opened(cal)
    last = cal.end_day - 1
    rows = []
    for b_index, branch in enumerate(BRANCHES):
        for role in ROLES:
            for slot in range(SLOTS[role]):
                if opened[b_index] >= cal.first_day:
                    hired = int(opened[b_index]) - int(rng.integers(0, 21))
                else:
                    hired = max(int(opened[b_index]), cal.first_day - int(rng.integers(20, 2500)))
                p = 0.0 if slot == 0 else TURNOVER[role]
                while True:
                    leaves = rng.random() < p
                    lo = max(hired + 30, cal.first_day)
                    if not leaves or lo >= last - 30:
                        rows.append((branch[0], role, hired, STILL_EMPLOYED))
                        break
                    term = int(rng.integers(lo, last - 30))
                    rows.append((branch[0], role, hired, term))
                    hired = term + int(rng.integers(5, 46))
                    p /= 1.6
                    if hired >= last:
                        break
    rows.sort(key=lambda r: (r[2], r[0], ROLES.index(r[1])))
    frame = pd.DataFrame(rows, columns=["branch_id", "role", "hired", "term"])
    frame.insert(0, "id", np.arange(1, len(frame) + 1))
    frame["full_name"] = random_names(rng, len(frame))
    return frame


def employees_table(staff: pd.DataFrame) -> pd.DataFrame:
    term = staff["term"].to_numpy()
    return pd.DataFrame(
        {
            "id": staff["id"],
            "branch_id": staff["branch_id"],
            "full_name": staff["full_name"],
            "role": staff["role"],
            "hired_on": to_dates(staff["hired"].to_numpy()),
            "terminated_on": np.where(
                term < STILL_EMPLOYED, to_dates(term), np.datetime64("NaT", "D")
            ),
        }
    )


@dataclass
class Staff:
    """Picks people of a role who are employed (hire and termination inclusive) on a day."""

    frame: pd.DataFrame

    def members(self, branch: int, role: str) -> pd.DataFrame:
        f = self.frame
        return f[(f["branch_id"] == branch) & (f["role"] == role)]

    def pick(
        self,
        rng: np.random.Generator,
        branches: np.ndarray,
        days: np.ndarray,
        role: str,
        k: int = 1,
        first: np.ndarray | None = None,
    ) -> np.ndarray:
        """Up to `k` distinct employed people per row (0 where nobody is left), `first` first."""
        out = np.zeros((len(days), k), np.int64)
        for branch in np.unique(branches):
            rows = np.flatnonzero(branches == branch)
            people = self.members(int(branch), role)
            if len(people) == 0:
                continue
            ids = people["id"].to_numpy()
            d = days[rows, None]
            employed = (people["hired"].to_numpy() <= d) & (d <= people["term"].to_numpy())
            keys = rng.random(employed.shape)
            if first is not None:
                keys = np.where(ids[None, :] == first[rows, None], 2.0, keys)
            keys = np.where(employed, keys, -1.0)
            order = np.argsort(-keys, axis=1, kind="stable")[:, :k]
            chosen = ids[order]
            valid = np.take_along_axis(keys, order, axis=1) >= 0
            out[rows] = np.where(valid, chosen, 0)
        return out


def make_sources() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": np.arange(1, len(SOURCES) + 1),
            "name": [s[0] for s in SOURCES],
            "channel": [s[1] for s in SOURCES],
        }
    )


def source_param(index: int) -> np.ndarray:
    return np.array([s[index] for s in SOURCES], dtype=float)


def make_spend(cal: Calendar, expected_leads: np.ndarray, rng: np.random.Generator) -> pd.DataFrame:
    """Spend per source, branch and month: cost per lead × the leads expected, with noise."""
    months = cal.days().astype("datetime64[D]").astype("datetime64[M]")
    month_keys, month_of_day = np.unique(months, return_inverse=True)
    per_month = np.zeros((expected_leads.shape[0], len(month_keys)))
    np.add.at(per_month.T, month_of_day, expected_leads.T)
    share, cpl = source_param(2), source_param(6)
    share = share / share.sum()
    amount = share[:, None, None] * cpl[:, None, None] * per_month[None, :, :]
    amount = amount * rng.lognormal(0, 0.18, amount.shape)
    source, branch, month = np.nonzero(amount >= 1)
    cents = np.round(amount[source, branch, month] * 100).astype(np.int64)
    return pd.DataFrame(
        {
            "id": np.arange(1, len(source) + 1),
            "source_id": source + 1,
            "branch_id": branch + 1,
            "month": month_keys[month].astype("datetime64[D]"),
            "amount": cents / 100,
        }
    )
