"""Split integrity of active sales: one exception per sale and reason, exact decimals."""

from decimal import Decimal

import pytest

from pulsebi.reconcile import find_split_exceptions


@pytest.fixture
def reps(crm):
    """Sales reps 10 and 11 employed since 2020, a canvasser 12."""
    crm.employee(10)
    crm.employee(11)
    crm.employee(12, role="canvasser")
    return crm


def check(crm, **filters):
    return find_split_exceptions(crm.engine, **filters)


def test_a_clean_sale_split_in_two_has_no_exception(reps) -> None:
    reps.sale(1)
    reps.split(1, 1, 10, "0.5000", "50.00")
    reps.split(2, 1, 11, "0.5000", "50.00")
    assert check(reps).empty


@pytest.mark.parametrize(
    ("second_share", "flagged"),
    [("0.4999", False), ("0.5001", False), ("0.4998", True), ("0.5002", True)],
)
def test_shares_must_sum_to_one_within_a_ten_thousandth(reps, second_share, flagged) -> None:
    reps.sale(1)
    commission = str(Decimal(second_share) * 100)[:5]
    reps.split(1, 1, 10, "0.5000", "50.00")
    reps.split(2, 1, 11, second_share, commission)
    frame = check(reps)
    assert reps.reasons(frame, "sale_id") == ({("share_sum", 1)} if flagged else set())
    if flagged:
        assert frame.iloc[0]["share_sum"] == Decimal("0.5") + Decimal(second_share)
        assert "0.5000 + " + second_share in frame.iloc[0]["detail"]


@pytest.mark.parametrize(
    ("recorded", "flagged"),
    [("100.01", False), ("99.99", False), ("100.02", True), ("99.98", True)],
)
def test_commission_may_differ_from_its_share_by_exactly_a_cent(reps, recorded, flagged) -> None:
    reps.sale(1, amount="1000.00", commission_rate="0.1000")
    reps.split(1, 1, 10, "1.0000", recorded)
    frame = check(reps)
    assert reps.reasons(frame, "sale_id") == ({("commission_mismatch", 1)} if flagged else set())
    if flagged:
        row = frame.iloc[0]
        assert row["employee_id"] == 10
        assert row["expected_commission"] == Decimal("100.00")
        assert row["recorded_commission"] == Decimal(recorded)


@pytest.mark.parametrize(("recorded", "flagged"), [("1.02", False), ("0.99", True)])
def test_expected_commission_rounds_half_away_from_zero(reps, recorded, flagged) -> None:
    # 10.05 x 0.1 x 1 = 1.005 -> 1.01 (half away from zero), not 1.00 (half to even, float)
    reps.sale(1, amount="10.05", commission_rate="0.1000")
    reps.split(1, 1, 10, "1.0000", recorded)
    frame = check(reps)
    assert reps.reasons(frame, "sale_id") == ({("commission_mismatch", 1)} if flagged else set())


def test_several_bad_commissions_on_a_sale_make_one_exception(reps) -> None:
    reps.sale(1)
    reps.split(1, 1, 10, "0.5000", "40.00")
    reps.split(2, 1, 11, "0.5000", "60.00")
    frame = check(reps)
    assert list(frame["reason"]) == ["commission_mismatch"]
    assert frame.iloc[0]["employee_id"] == 10
    assert "employee 10" in frame.iloc[0]["detail"] and "employee 11" in frame.iloc[0]["detail"]


def test_an_employee_twice_on_a_sale_is_a_duplicate(reps) -> None:
    reps.sale(1)
    reps.split(1, 1, 10, "0.5000", "50.00")
    reps.split(2, 1, 10, "0.5000", "50.00")
    reps.sale(2)  # neighbour: two different reps
    reps.split(3, 2, 10, "0.5000", "50.00")
    reps.split(4, 2, 11, "0.5000", "50.00")
    frame = check(reps)
    assert reps.reasons(frame, "sale_id") == {("duplicate_employee", 1)}
    assert frame.iloc[0]["employee_id"] == 10


def test_a_split_of_an_unknown_employee_is_employee_missing_only(reps) -> None:
    reps.sale(1)
    reps.split(1, 1, 99)
    reps.sale(2)  # neighbour: a known rep
    reps.split(2, 2, 10)
    frame = check(reps)
    assert reps.reasons(frame, "sale_id") == {("employee_missing", 1)}
    assert frame.iloc[0]["employee_id"] == 99


@pytest.mark.parametrize("role", ["canvasser", "Sales_Rep"])
def test_a_split_held_by_someone_not_a_sales_rep(crm, role) -> None:
    crm.employee(10, role=role)
    crm.employee(11)
    crm.sale(1)
    crm.split(1, 1, 10)
    crm.sale(2)  # neighbour: a sales rep
    crm.split(2, 2, 11)
    frame = check(crm)
    assert crm.reasons(frame, "sale_id") == {("not_sales_rep", 1)}
    assert frame.iloc[0]["role"] == role


@pytest.mark.parametrize(
    ("hired_on", "terminated_on", "flagged"),
    [
        ("2026-06-15", None, False),  # hired on the sale's day: employed
        ("2026-06-16", None, True),
        ("2020-01-01", "2026-06-15", False),  # last day is the sale's day: employed
        ("2020-01-01", "2026-06-14", True),
    ],
)
def test_employment_days_are_inclusive(crm, hired_on, terminated_on, flagged) -> None:
    crm.employee(10, hired_on=hired_on, terminated_on=terminated_on)
    crm.sale(1, sold_at="2026-06-15T12:00:00-05:00")
    crm.split(1, 1, 10)
    frame = check(crm)
    assert crm.reasons(frame, "sale_id") == ({("not_employed", 1)} if flagged else set())
    if flagged:
        assert str(frame.iloc[0]["hired_on"]) == hired_on


def test_the_sales_date_is_read_in_the_reporting_zone(crm) -> None:
    # 23:30 in Chicago on 06-15 is already 06-16 in UTC; the rep starts on 06-16.
    crm.employee(10, hired_on="2026-06-16")
    crm.sale(1, sold_at="2026-06-15T23:30:00-05:00")
    crm.split(1, 1, 10)
    assert crm.reasons(check(crm), "sale_id") == {("not_employed", 1)}


def test_a_canvasser_not_employed_on_the_day_gets_both_reasons(crm) -> None:
    crm.employee(12, role="canvasser", hired_on="2027-01-01")
    crm.sale(1)
    crm.split(1, 1, 12)
    assert crm.reasons(check(crm), "sale_id") == {("not_sales_rep", 1), ("not_employed", 1)}


def test_an_active_sale_without_splits_gets_no_split_only(reps) -> None:
    reps.sale(1)
    reps.sale(2, status="canceled")  # neighbours: not active, not checked
    reps.sale(3, status="Active")
    frame = check(reps)
    assert reps.reasons(frame, "sale_id") == {("no_split", 1)}
    assert frame.iloc[0]["splits"] == 0


def test_canceled_and_oddly_cased_sales_are_not_checked(reps) -> None:
    for sale_id, status in ((1, "canceled"), (2, "Active")):
        reps.sale(sale_id, status=status)
        reps.split(sale_id, sale_id, 99, "0.3000", "1.00")
    assert check(reps).empty


def test_filters_use_the_sales_branch_and_sold_at(reps) -> None:
    reps.sale(1, branch_id=1)
    reps.sale(2, branch_id=2)
    reps.sale(3, branch_id=2, sold_at="2026-07-01T00:00:00-05:00")
    assert list(check(reps, branch="HOU")["sale_id"]) == [2, 3]
    assert list(check(reps, branch="HOU", date_to="2026-07-01")["sale_id"]) == [2]
    assert list(check(reps, date_from="2026-07-01")["sale_id"]) == [3]
