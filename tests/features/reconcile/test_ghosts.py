"""Ghost appointments: ran + sold, and no job hangs off a sale pointing to the appointment."""

from pulsebi.reconcile import find_ghost_appointments


def test_ran_and_sold_without_any_sale_is_no_sale(crm) -> None:
    crm.appointment(1)
    frame = find_ghost_appointments(crm.engine)
    assert crm.reasons(frame, "appointment_id") == {("no_sale", 1)}
    row = frame.iloc[0]
    assert row["branch"] == "DAL"
    assert row["sales"] == 0


def test_a_sale_without_a_job_is_no_job_and_names_the_sale(crm) -> None:
    crm.appointment(1)
    crm.sale(7, appointment_id=1)
    frame = find_ghost_appointments(crm.engine)
    assert crm.reasons(frame, "appointment_id") == {("no_job", 1)}
    assert int(frame.iloc[0]["sale_id"]) == 7
    assert frame.iloc[0]["detail"] == "sale 7 (active) has no job"


def test_the_detail_names_every_sale_without_a_job(crm) -> None:
    crm.appointment(1)
    crm.sale(7, appointment_id=1)
    crm.sale(8, appointment_id=1, status="canceled")
    frame = find_ghost_appointments(crm.engine)
    assert frame.iloc[0]["detail"] == "sales 7 (active), 8 (canceled) have no job"


def test_a_sale_with_a_job_is_clean_whatever_their_statuses(crm) -> None:
    crm.appointment(1)
    crm.sale(7, appointment_id=1, status="canceled")
    crm.job(70, sale_id=7, status="canceled")
    assert find_ghost_appointments(crm.engine).empty


def test_one_of_two_sales_having_a_job_is_enough(crm) -> None:
    crm.appointment(1)
    crm.sale(7, appointment_id=1)
    crm.sale(8, appointment_id=1)
    crm.job(80, sale_id=8)
    assert find_ghost_appointments(crm.engine).empty


def test_only_ran_and_sold_appointments_are_checked(crm) -> None:
    crm.appointment(1, status="ran", result="not_sold")
    crm.appointment(2, status="scheduled", result=None)
    crm.appointment(3, status="Ran", result="sold")  # compared exactly: not 'ran'
    crm.appointment(4, status="no_show", result="sold")
    assert find_ghost_appointments(crm.engine).empty


def test_a_job_of_a_sale_of_another_appointment_does_not_count(crm) -> None:
    crm.appointment(1)
    crm.appointment(2)
    crm.sale(7, appointment_id=2)
    crm.job(70, sale_id=7)
    assert crm.reasons(find_ghost_appointments(crm.engine), "appointment_id") == {("no_sale", 1)}


def test_branch_filter_uses_the_appointments_branch(crm) -> None:
    crm.appointment(1, branch_id=1)
    crm.appointment(2, branch_id=2)
    frame = find_ghost_appointments(crm.engine, branch="HOU")
    assert list(frame["appointment_id"]) == [2]
    assert list(frame["branch"]) == ["HOU"]


def test_dates_filter_scheduled_for_in_local_days_to_exclusive(crm) -> None:
    # 2026-06-10 00:30 in Chicago is 05:30 UTC; 23:30 on 06-09 local is 04:30 UTC on 06-10.
    crm.appointment(1, scheduled_for="2026-06-10T00:30:00-05:00")
    crm.appointment(2, scheduled_for="2026-06-09T23:30:00-05:00")
    crm.appointment(3, scheduled_for="2026-06-11T00:00:00-05:00")
    frame = find_ghost_appointments(crm.engine, date_from="2026-06-10", date_to="2026-06-11")
    assert list(frame["appointment_id"]) == [1]


def test_a_dangling_branch_is_reported_with_no_code(crm) -> None:
    crm.appointment(1, branch_id=99)
    frame = find_ghost_appointments(crm.engine)
    assert list(frame["appointment_id"]) == [1]
    assert frame.iloc[0]["branch"] is None
