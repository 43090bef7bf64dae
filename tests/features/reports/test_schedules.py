"""schedules/*.yaml: validated on load (file, field, reason), cron in its standard meaning,
one delivery per for_each member, a bad file does not stop the others."""

from __future__ import annotations

import datetime as dt
import subprocess
import zoneinfo
from pathlib import Path

import pytest

from pulsebi.reports.schedules import ScheduleError, load_schedules, parse_schedule

REPO = Path(__file__).parents[3]
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
GOOD = """\
name: weekly
cron: "0 7 * * 1"
timezone: America/Chicago
notebook: notebooks/table_and_chart.ipynb
parameters: {rows: 2}
for_each:
  parameter: branch
  members:
    DAL: [dal@pulse.example]
    HOU: [hou@pulse.example, hou2@pulse.example]
recipients: [ops@pulse.example]
formats: [html, pdf, xlsx]
owner: bi@pulse.example
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def test_weekly_branch_schedule_runs_every_monday_at_7_chicago_for_each_branch():
    loaded = load_schedules(REPO / "schedules")
    assert loaded.errors == []
    weekly = loaded.get("weekly-branch")
    times = weekly.due_times(
        dt.datetime(2026, 3, 1, tzinfo=CHICAGO), dt.datetime(2026, 3, 17, tzinfo=CHICAGO)
    )
    # Monday 9 March 2026 is the first Monday after the DST change: still 07:00 local
    assert [t.strftime("%a %d %H:%M") for t in times] == [
        "Mon 02 07:00",
        "Mon 09 07:00",
        "Mon 16 07:00",
    ]
    assert times[1].utcoffset() == dt.timedelta(hours=-5)
    members = {d.parameters["branch"]: d.recipients for d in weekly.deliveries(times[0])}
    assert sorted(members) == ["AUS", "DAL", "HOU", "OKC", "SAT"]


def test_cron_weekday_zero_is_sunday(tmp_path):
    path = write(tmp_path / "schedules", "sun.yaml", GOOD.replace('"0 7 * * 1"', '"30 6 * * 0"'))
    schedule, _ = parse_schedule(path)
    (when,) = schedule.due_times(
        dt.datetime(2026, 11, 21, tzinfo=CHICAGO), dt.datetime(2026, 11, 28, tzinfo=CHICAGO)
    )
    assert when.strftime("%A %H:%M") == "Sunday 06:30"


def test_each_member_gets_its_own_delivery_recipients_and_key(tmp_path):
    path = write(tmp_path / "schedules", "weekly.yaml", GOOD)
    schedule, warnings = parse_schedule(path)
    assert warnings  # the notebook is not there: a warning, not an error
    when = dt.datetime(2026, 11, 23, 7, tzinfo=CHICAGO)
    dal, hou = schedule.deliveries(when)
    assert dal.parameters == {"rows": 2, "branch": "DAL"}
    assert dal.recipients == ["dal@pulse.example", "ops@pulse.example"]
    assert hou.recipients == ["hou@pulse.example", "hou2@pulse.example", "ops@pulse.example"]
    assert dal.key == "weekly|2026-11-23T13:00Z|branch=DAL|dal@pulse.example,ops@pulse.example"
    assert schedule.deliveries(when)[0].key == dal.key  # stable: same time, same key


def test_one_manager_of_two_branches_gets_both_reports(tmp_path):
    text = GOOD.replace("[hou@pulse.example, hou2@pulse.example]", "[dal@pulse.example]")
    schedule, _ = parse_schedule(write(tmp_path / "schedules", "weekly.yaml", text))
    dal, hou = schedule.deliveries(dt.datetime(2026, 11, 23, 7, tzinfo=CHICAGO))
    assert dal.recipients == hou.recipients and dal.key != hou.key


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        (('"0 7 * * 1"', '"0 7 * *"'), "cron", "not a cron expression"),
        (('"0 7 * * 1"', '"0 25 * * 1"'), "cron", "not a cron expression"),
        (("America/Chicago", "America/Gotham"), "timezone", "not an IANA time zone"),
        (("owner: bi@pulse.example", "owner: bi at pulse"), "owner", "not a valid email address"),
        (
            ("[dal@pulse.example]", '["dal@pulse.example\\nBcc: x@y.z"]'),
            "for_each.members.DAL",
            "line break",
        ),
        (("formats: [html, pdf, xlsx]", "formats: [html, docx]"), "formats", "no handler for docx"),
        (
            ("parameters: {rows: 2}", "parameters: {rows: [1, 2]}"),
            "parameters.rows",
            "not a scalar",
        ),
        (("name: weekly", "name: Weekly Report"), "name", "lowercase"),
        (("owner:", "ownr:"), "ownr", "unknown field"),
    ],
)
def test_a_bad_schedule_names_file_field_and_reason(tmp_path, change, field, reason):
    path = write(tmp_path / "schedules", "bad.yaml", GOOD.replace(*change))
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(path)
    assert caught.value.file == str(path)
    assert caught.value.field == field
    assert reason in caught.value.reason


def test_a_bad_file_is_reported_and_the_other_schedules_still_load(tmp_path, cli_env):
    folder = tmp_path / "schedules"
    write(folder, "good.yaml", GOOD)
    write(
        folder,
        "broken.yaml",
        GOOD.replace("name: weekly", "name: other").replace('"0 7 * * 1"', '"every monday"'),
    )
    write(folder, "notyaml.yaml", "name: [unclosed")
    loaded = load_schedules(folder)
    assert [s.name for s in loaded.schedules] == ["weekly"]
    assert {Path(e.file).name for e in loaded.errors} == {"broken.yaml", "notyaml.yaml"}

    def cli(*args):
        return subprocess.run(
            ["pulsebi", "schedule", *args, "--dir", str(folder)],
            capture_output=True,
            text=True,
            env=cli_env,
            timeout=120,
        )

    validate = cli("validate")
    assert validate.returncode == 2
    assert (
        f"{folder / 'broken.yaml'}: field 'cron': 'every monday' is not a cron expression"
        in validate.stderr
    )
    listed = cli("list")
    assert listed.returncode == 0 and listed.stdout.startswith("weekly ")
    assert "broken.yaml" in listed.stderr
