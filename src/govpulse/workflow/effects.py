"""Keep the measured effect of every closed action up to date (``analytics.impact`` measures, this stores).

The effect is kept in ``action_effect`` so pages and the report read it without the warehouse; it is
re-measured until its 90-day horizon has passed, after which it no longer changes.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from govpulse.analytics.impact import HORIZONS, measure_action
from govpulse.catalog.audit import as_utc
from govpulse.catalog.models import Action, ActionEffect
from govpulse.catalog.models.base import utcnow
from govpulse.catalog.repositories.actions import CLOSED, ActionFilter, ActionRepository
from govpulse.core.scope import Scope

__all__ = ["refresh_effects", "effect_dict"]


def refresh_effects(session: Session, warehouse, today: date, *, force: bool = False) -> int:
    """Measure every closed action whose effect is missing or still has horizons to come; returns how many
    were measured. A background job: it sees every action."""
    repo = ActionRepository(session)
    closed = repo.all(ActionFilter(status=CLOSED), Scope.system())
    stored = repo.effects(closed)
    measured = 0
    for action in closed:
        current = stored.get(action.id)
        if not force and current is not None and _final(action, current):
            continue
        result = measure_action(session, warehouse, action, today)
        if result is None:
            continue
        _store(session, action, current, result, today)
        measured += 1
    session.flush()
    return measured


def _final(action: Action, effect: ActionEffect) -> bool:
    return effect.as_of >= as_utc(action.closed_at).date() + timedelta(days=max(HORIZONS))


def _store(session: Session, action: Action, row: ActionEffect | None, result, today: date) -> None:
    effect = result.effect
    values = dict(measured_at=utcnow(), as_of=today, period_type=result.period_type.value,
                  polarity=result.polarity.value, before=effect.before, at_closure=effect.at_closure,
                  comparison_units=effect.comparison_units, horizons=[_horizon(h) for h in effect.horizons],
                  verdict_horizon=effect.verdict_horizon, improvement=effect.improvement,
                  recovered=effect.recovered, note=effect.note)
    if row is None:
        session.add(ActionEffect(action_id=action.id, **values))
    else:
        for key, value in values.items():
            setattr(row, key, value)


def _horizon(h) -> dict:
    return {"days": h.days, "on": h.on.isoformat(), "value": h.value, "treated_change": h.treated_change,
            "comparison_change": h.comparison_change, "comparison_units": h.comparison_units,
            "difference": h.difference, "improvement": h.improvement}


def effect_dict(effect: ActionEffect | None) -> dict | None:
    """The stored effect as plain data (API, CLI)."""
    if effect is None:
        return None
    return {"as_of": effect.as_of.isoformat(), "period_type": effect.period_type, "polarity": effect.polarity,
            "before": effect.before, "at_closure": effect.at_closure, "comparison_units": effect.comparison_units,
            "horizons": list(effect.horizons or []), "verdict_horizon": effect.verdict_horizon,
            "improvement": effect.improvement, "recovered": effect.recovered, "note": effect.note}
