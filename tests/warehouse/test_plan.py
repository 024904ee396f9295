"""The pure rollup plan: which tiers are stored and where every period type is read from."""

from __future__ import annotations

from govpulse.core.periods import PeriodType as P
from govpulse.warehouse.plan import base_for, stored_tiers, tiers_for


def test_daily_elements_store_week_and_month_and_derive_the_rest_from_the_month() -> None:
    assert [t.target for t in stored_tiers(P.DAILY)] == [P.WEEKLY, P.MONTHLY]
    assert {t: base_for(P.DAILY, t) for t in P} == {
        P.DAILY: P.DAILY, P.WEEKLY: P.WEEKLY, P.MONTHLY: P.MONTHLY, P.QUARTERLY: P.MONTHLY,
        P.SIXMONTHLY: P.MONTHLY, P.YEARLY: P.MONTHLY, P.FINANCIAL_APRIL: P.MONTHLY,
    }


def test_kept_period_types_decide_what_is_stored_and_served() -> None:
    kept = {P.QUARTERLY, P.FINANCIAL_APRIL}
    assert [t.target for t in stored_tiers(P.DAILY, kept)] == [P.QUARTERLY]
    assert base_for(P.DAILY, P.FINANCIAL_APRIL, kept) == P.QUARTERLY
    assert base_for(P.DAILY, P.MONTHLY, kept) is None
    assert base_for(P.DAILY, P.DAILY, kept) == P.DAILY


def test_coarser_native_types_and_types_that_do_not_nest() -> None:
    assert [t.target for t in stored_tiers(P.MONTHLY)] == [P.QUARTERLY]
    assert base_for(P.MONTHLY, P.FINANCIAL_APRIL) == P.QUARTERLY
    assert base_for(P.MONTHLY, P.WEEKLY) is None
    assert base_for(P.WEEKLY, P.MONTHLY) is None  # ISO weeks straddle months
    assert tiers_for(P.YEARLY) == ()
