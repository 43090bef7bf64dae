"""Issue 3's "done when": data loaded with `pulsebi import` answers `pulsebi kpi` at once,
with the contract's numbers (the import refreshes the views)."""

import json
import subprocess
from pathlib import Path

BRANCHES = """id,code,name,timezone,opened_on
1,DAL,Dallas,America/Chicago,2020-01-01
2,HOU,Houston,America/Chicago,2020-01-01
"""
# Local midnight in Chicago: 2026-01-01T00:00-06:00 is in; 2026-07-01T00:00-05:00 is out.
SALES = """id,lead_id,branch_id,sold_at,amount,commission_rate,product,status
1,10,1,2026-01-01T00:00:00-06:00,1000.10,0.1000,roof,active
2,11,1,2026-06-30T23:59:59-05:00,2000.25,0.1000,roof,active
3,12,1,2026-07-01T00:00:00-05:00,5000.00,0.1000,roof,active
4,13,2,2026-03-08T02:30:00-06:00,300.33,0.1000,siding,active
5,14,2,2026-03-09T12:00:00Z,999.99,0.1000,siding,canceled
6,15,2,2026-04-01T12:00:00Z,50.00,0.1000,siding,Active
7,16,9,2026-02-01T12:00:00Z,70.07,0.1000,windows,active
"""


def pulsebi(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["pulsebi", *args], env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_kpi_answers_on_imported_data(db, cli_env, tmp_path: Path) -> None:
    (tmp_path / "branches.csv").write_text(BRANCHES)
    (tmp_path / "sales.csv").write_text(SALES)
    imported = pulsebi(["import", str(tmp_path)], cli_env)
    assert imported.returncode == 0, imported.stderr
    assert "refreshed" in imported.stdout

    kpi = pulsebi(
        ["kpi", "net_revenue", "--from", "2026-01-01", "--to", "2026-07-01", "--by", "branch",
         "--format", "json"],
        cli_env,
    )  # fmt: skip
    assert kpi.returncode == 0, kpi.stderr
    rows = {row["branch"]: row["net_revenue"] for row in json.loads(kpi.stdout)}
    # DAL: the first two sales (the third is at local midnight of `to`); HOU: the active one
    # ('Active' is neither active nor canceled); the dangling branch 9 is its own null group.
    assert rows == {"DAL": 3000.35, "HOU": 300.33, None: 70.07}
