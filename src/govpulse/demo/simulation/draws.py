"""Vectorised draws of one family of data elements over a slice of periods: (units x periods) matrices.

Every rate or count moves on a link scale (logit for proportions, log for counts and other positive numbers) by
the sum of:

- a persistent *district* effect (partly the district's overall quality, partly specific to the indicator), a
  *sub-district* effect (taluka or ULB) and a *unit* effect: some places are persistently better or worse;
- a slow *trend* over the window, improving for most indicators, different in each district;
- *seasonality*: monsoon months (Jun-Sep) worse for roads, water and health access; the school calendar
  (vacations in May and around Diwali, exams in Jan-Feb) for attendance;
- *noise* for each unit and period (none for stocks, which move smoothly); then the Binomial or Poisson draw.

Daily flows and daily yes/no values (working days) also follow the week: Sundays are quiet.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from govpulse.core.periods import PeriodType
from govpulse.demo.simulation.calendar import PeriodAxis
from govpulse.demo.simulation.places import PER_UNIT, Places
from govpulse.demo.simulation.recipes import PERIOD_DAYS, Count, Family, Level, Split, Under
from govpulse.demo.simulation.rates import Rate, stable_hash

# Month effects Jan..Dec in "better" units (negative = worse). Monsoon: rain cuts roads, muddies water, keeps
# patients from facilities. School: May vacation, June start of session, Diwali break, exam months.
SEASONS = {
    "monsoon": np.array([0, 0, 0, 0, 0, -0.15, -0.35, -0.4, -0.2, 0, 0, 0], dtype=float),
    "school": np.array([0.1, 0.1, 0, -0.1, -0.35, -0.25, -0.15, -0.1, 0, -0.1, -0.2, 0.05], dtype=float),
    "none": np.zeros(12),
}
WEEK_RHYTHM = np.array([1.08, 1.05, 1.02, 1.02, 1.0, 0.85, 0.45])  # Monday ... Sunday
# Standard deviations of the district, sub-district and unit effects on the link scale.
SPREAD = {"logit": (0.35, 0.2, 0.25), "log": (0.12, 0.08, 0.12)}
QUALITY_WEIGHT = 0.6  # how much of a district's effect is its overall quality (shared by all indicators)
COUNT_SEASON = 0.5  # counts swing half as much with the seasons as rates do (+20 % calls in the monsoon)


@dataclass(frozen=True)
class FamilyInjections:
    """The anomalies that touch one family, in the indices of its units and periods."""

    worsen: dict[str, tuple[int, int, int, float]] = field(default_factory=dict)
    """Rate key -> (district index, first day, last day, shift): a worsening that ramps up to ``shift``."""
    repeat: tuple[np.ndarray, int] | None = None
    """(unit positions, first day): from that day these units repeat their values of that day."""
    jumps: tuple[tuple[str, int, int, float], ...] = ()
    """(element code, unit position, period index, factor): x10 typos and drops to a tenth."""


@dataclass
class _Effects:
    """Persistent place effects and trend slopes of one rate over the family's units."""

    shared: np.ndarray
    quality: np.ndarray
    slope: np.ndarray


class FamilyDraw:
    """Draws one family slice by slice; slices must be drawn in order (repeats remember their first day)."""

    def __init__(self, family: Family, places: Places, axis: PeriodAxis, seed: int,
                 bounds: dict[str, tuple[float | None, float | None]], injections: FamilyInjections,
                 decimals: dict[str, int]) -> None:
        self.family, self.places, self.axis, self.seed = family, places, axis, seed
        self.bounds, self.injections, self.decimals = bounds, injections, decimals
        self.units = places.units(family.kinds)
        self.district = places.district[self.units]
        self.area = places.area[self.units]
        self.noise = 0.12 if axis.ptype is PeriodType.DAILY else 0.08
        self._effects: dict[tuple[str, int], _Effects] = {}
        self._sizes: dict[int, np.ndarray] = {}
        self._frozen: dict[str, np.ndarray] = {}

    def slices(self, rows_per_chunk: int) -> Iterator[tuple[slice, dict[str, np.ndarray]]]:
        """(period slice, code -> units x periods values) for consecutive slices of about ``rows_per_chunk``."""
        per_period = max(len(self.units) * len(self.family.codes), 1)
        step = max(1, rows_per_chunk // per_period)
        for start in range(0, len(self.axis), step):
            part = slice(start, min(start + step, len(self.axis)))
            yield part, self.draw(part)

    def draw(self, part: slice) -> dict[str, np.ndarray]:
        rng = np.random.default_rng([self.seed, stable_hash("slice", self.family.codes[0]), part.start])
        values: dict[str, np.ndarray] = {}
        for step in self.family.steps:
            if isinstance(step, Count):
                values[step.code] = self._count(step, part, rng)
            elif isinstance(step, Split):
                values.update(self._split(step, part, rng, values))
            else:
                values[step.code] = self._level(step, part, rng)
        for code, matrix in values.items():
            values[code] = self._finish(code, matrix)
        self._repeat(part, values)
        self._jump(part, values)
        return values

    # --- persistent parts ----------------------------------------------------------------------------

    def effects(self, rate: Rate) -> _Effects:
        """Place effects and slopes of ``rate`` over this family's units (cached)."""
        cache_key = (rate.key, rate.direction)
        if cache_key not in self._effects:
            self._effects[cache_key] = self.effects_at(rate, self.units)
        return self._effects[cache_key]

    def effects_at(self, rate: Rate, units: np.ndarray) -> _Effects:
        """Place effects and slopes of ``rate`` over ``units``, from a generator keyed by the rate's key: the
        same district and sub-district effects whichever units ask (a linked numerator sees its denominator's)."""
        by_district, by_area, by_unit = SPREAD[rate.link]
        rng = np.random.default_rng([self.seed, stable_hash("effects", rate.key)])
        district, area = self.places.district[units], self.places.area[units]
        n_districts, n_areas = len(self.places.district_codes), len(self.places.area_codes)
        # Unit effects come last: everything drawn before them is the same whatever the number of units.
        specific = rng.normal(0, 1, n_districts) * by_district
        area_effect = rng.normal(0, 1, n_areas) * by_area
        improving = rng.normal(0.2, 0.15) if rate.direction else rng.normal(0.0, 0.08)
        slope = _at(improving + rng.normal(0, 0.12, n_districts), district, default=improving)
        shared = (_at(specific, district) * (1 - QUALITY_WEIGHT) + _at(area_effect, area)
                  + rng.normal(0, by_unit, len(units)))
        quality = _at(self.places.district_quality * by_district * QUALITY_WEIGHT, district)
        return _Effects(shared, quality if rate.direction else np.zeros(len(units)), slope)

    def _uniform(self, key: str) -> np.ndarray:
        """One uniform draw per unit that lasts: rounds a stock's share the same way every period, so the
        value moves only when the share really moves (and rounds up as often as down)."""
        return np.random.default_rng([self.seed, stable_hash("uniform", key)]).random(len(self.units))

    def _base(self, scale_driver: str, amount: float, rate: Rate) -> np.ndarray:
        """Size of a stock in each unit, drawn once: driver x amount x place effects (exactly ``amount`` per unit
        for a per-unit driver)."""
        if scale_driver == PER_UNIT:
            return np.full(len(self.units), float(amount))
        effects = self.effects(rate)
        expected = self.places.driver(scale_driver)[self.units] * amount
        rng = np.random.default_rng([self.seed, stable_hash("base", rate.key, scale_driver)])
        return rng.poisson(expected * np.exp(effects.shared + _sign(rate, True) * effects.quality)).astype(float)

    # --- one slice -------------------------------------------------------------------------------

    def _offset(self, rate: Rate, part: slice, rng: np.random.Generator | None, count: bool = False) -> np.ndarray:
        """Link-scale offset (units x periods): places, trend, season, injected worsening, and noise when
        ``rng`` is given."""
        effects = self.effects(rate)
        lasting = effects.shared + _sign(rate, count) * effects.quality
        offset = lasting[:, None] + self._moving(rate, part, count)
        if rng is not None:
            offset = offset + rng.normal(0, self.noise, offset.shape)
        return offset

    def _moving(self, rate: Rate, part: slice, count: bool) -> np.ndarray:
        """The part of the offset that moves with time: trend, season and injected worsening."""
        axis, effects, sign = self.axis, self.effects(rate), _sign(rate, count)
        season = axis.month_share[part] @ SEASONS[rate.season] * (COUNT_SEASON if count else 1.0)
        moving = sign * (np.outer(effects.slope, axis.position[part] - 0.5) + season[None, :])
        worsen = self.injections.worsen.get(rate.key)
        if worsen is not None:
            district, first, last, shift = worsen
            ramp = np.clip((axis.end_day[part] - first) / max(last - first, 1), 0, 1)
            moving[self.district == district] -= sign * shift * ramp
        return moving

    def _rate(self, rate: Rate, part: slice, rng: np.random.Generator | None) -> np.ndarray:
        """The rate itself (units x periods): a fraction for logit, a capped ratio for log."""
        offset = self._offset(rate, part, rng)
        if rate.link == "logit":
            fraction = _expit(_logit(rate.center) + offset)
            return fraction * rate.cap if rate.cap is not None else fraction
        return rate.center * np.exp(offset)

    def _count(self, step: Count, part: slice, rng: np.random.Generator) -> np.ndarray:
        if step.under is not None:
            return self._linked(step, part, rng)
        scale, axis = step.scale, self.axis
        if scale.mode != "flow":  # stocks hold still; what moves is the share of them a numerator covers
            size = self._base(scale.driver, scale.amount, step.rate)[:, None]
            return size * axis.days[part][None, :] if scale.mode == "daily" else np.repeat(
                size, part.stop - part.start, axis=1)
        per_day = self.places.driver(scale.driver)[self.units] * scale.amount / 365.0
        mean = per_day[:, None] * axis.days[part][None, :] * np.exp(self._offset(step.rate, part, rng, count=True))
        if axis.ptype is PeriodType.DAILY:
            mean *= WEEK_RHYTHM[axis.weekday[part]][None, :]
        return rng.poisson(mean).astype(float)

    def _linked(self, step: Count, part: slice, rng: np.random.Generator) -> np.ndarray:
        """A numerator drawn under a denominator of another shape: rate x the denominator's size."""
        under, axis = step.under, self.axis
        days = axis.days[part][None, :]
        coarse = max(under.period_days, PERIOD_DAYS[axis.ptype])
        size = self._size_under(under)[:, None]
        if under.scale.mode == "flow":  # the denominator's own trend and season, without its noise
            size = size * np.exp(self._moving(under.rate, part, count=True))
        if under.scale.mode == "daily" or (under.scale.mode == "flow") != (step.scale.mode == "flow"):
            # Bring the denominator to the numerator's terms: per day for a flow, per period for a stock.
            per_day = size / (coarse if under.scale.mode == "stock" else 1.0)
            size = per_day * (days if step.scale.mode == "flow" else coarse)
        elif under.scale.mode == "flow":
            size = size * days
        if step.scale.mode == "flow":
            return rng.poisson(size * self._rate(step.share, part, rng)).astype(float)
        return np.floor(size * self._rate(step.share, part, None) + self._uniform(step.code)[:, None])

    def _size_under(self, under: Under) -> np.ndarray:
        key = id(under)
        if key not in self._sizes:
            self._sizes[key] = self._size_under_uncached(under)
        return self._sizes[key]

    def _size_under_uncached(self, under: Under) -> np.ndarray:
        """The denominator's expected size at each of this family's units, with its place effects: a stock
        (per period) or a flow per day (its trend and season are applied by ``_linked``).

        With the same kinds it is the denominator's very own stock. Otherwise (a taluka count against a
        district target) each district's expected denominator, summed over the denominator's own units, is
        shared among this family's units by their drivers, so the indicator lands near its rate by district.
        """
        driver = self.places.driver(under.scale.driver)
        flow = under.scale.mode == "flow"
        per = under.scale.amount / 365.0 if flow else under.scale.amount
        if tuple(sorted(under.kinds)) == tuple(sorted(self.family.kinds)):
            if not flow:
                return self._base(under.scale.driver, under.scale.amount, under.rate)
            effects = self.effects(under.rate)
            return driver[self.units] * per * np.exp(effects.shared + _sign(under.rate, True) * effects.quality)
        theirs = self.places.units(under.kinds)
        effects = self.effects_at(under.rate, theirs)
        expected = driver[theirs] * per * np.exp(effects.shared + _sign(under.rate, True) * effects.quality)
        their_group, my_group = self.places.district[theirs] + 1, self.district + 1
        if (their_group == 0).any() or (my_group == 0).any():  # a state-level side: share the state's total
            their_group, my_group = np.zeros_like(their_group), np.zeros_like(my_group)
        groups = len(self.places.district_codes) + 1
        total = np.bincount(their_group, weights=expected, minlength=groups)
        mine = np.bincount(my_group, weights=driver[self.units], minlength=groups)
        return total[my_group] * driver[self.units] / np.maximum(mine[my_group], 1e-9)

    def _split(self, step: Split, part: slice, rng: np.random.Generator,
               drawn: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        base = np.maximum(sum(drawn[code] for code in step.parents), 0)
        if step.kind == "smooth":
            total = np.floor(base * self._rate(step.rate, part, None) + self._uniform(step.rate.key)[:, None])
        elif step.kind == "continuous":
            total = base * self._rate(step.rate, part, rng)
        elif step.kind == "binomial":
            total = rng.binomial(base.astype(np.int64), self._rate(step.rate, part, rng)).astype(float)
        else:
            total = rng.poisson(base * self._rate(step.rate, part, rng)).astype(float)
        parts: dict[str, np.ndarray] = {}
        left, share_left = total, 1.0
        for code, share in zip(step.parts[:-1], step.shares[:-1], strict=True):
            fraction = min(share / share_left, 1.0) if share_left > 0 else 0.0
            if step.kind in ("binomial", "poisson"):
                parts[code] = rng.binomial(left.astype(np.int64), fraction).astype(float)
            elif step.kind == "smooth":
                parts[code] = np.floor(left * fraction + self._uniform(code)[:, None])
            else:
                parts[code] = left * fraction
            left, share_left = left - parts[code], share_left - share
        parts[step.parts[-1]] = left
        return parts

    def _level(self, step: Level, part: slice, rng: np.random.Generator) -> np.ndarray:
        if step.shape == "boolean":
            return self._yes_no(step, part, rng)
        if step.shape == "percent":
            return 100.0 * self._rate(step.rate, part, rng)
        return self._rate(step.rate, part, rng) * rng.gamma(8.0, 1 / 8.0, (len(self.units), part.stop - part.start))

    def _yes_no(self, step: Level, part: slice, rng: np.random.Generator) -> np.ndarray:
        if not step.persistent:
            chance = self._rate(step.rate, part, rng)
            if self.axis.ptype is PeriodType.DAILY:
                chance = chance * WEEK_RHYTHM[self.axis.weekday[part]][None, :] / WEEK_RHYTHM.max()
            return (rng.random(chance.shape) < chance).astype(float)
        # A lasting yes/no: each unit keeps one uniform draw (shared with the denominator it sits under), so
        # it turns yes once its chance passes the draw and stays yes while the chance keeps rising.
        holder = step.under if step.under is not None else step.rate
        uniform = self._uniform(holder.key)
        chance = self._rate(step.rate, part, None)
        if step.under is not None:
            chance = chance * self._rate(step.under, part, None)
        return (uniform[:, None] < chance).astype(float)

    def _finish(self, code: str, matrix: np.ndarray) -> np.ndarray:
        """Round to the element's precision and keep it within its min and max."""
        matrix = np.round(matrix, self.decimals.get(code, 0))
        low, high = self.bounds.get(code, (None, None))
        if low is not None or high is not None:
            matrix = np.clip(matrix, low, high)
        return matrix

    def _repeat(self, part: slice, values: dict[str, np.ndarray]) -> None:
        if self.injections.repeat is None:
            return
        units, first_day = self.injections.repeat
        columns = np.flatnonzero(self.axis.end_day[part] >= first_day)
        if len(columns) == 0:
            return
        for code, matrix in values.items():
            if code not in self._frozen:
                self._frozen[code] = matrix[units, columns[0]].copy()
            matrix[np.ix_(units, columns)] = self._frozen[code][:, None]

    def _jump(self, part: slice, values: dict[str, np.ndarray]) -> None:
        for code, unit, period, factor in self.injections.jumps:
            if part.start <= period < part.stop and code in values:
                before = values[code][unit, period - part.start]
                values[code][unit, period - part.start] = (
                    max(before, 1.0) * factor if factor > 1 else np.floor(before * factor))


def _sign(rate: Rate, count: bool) -> int:
    """Which way "better" moves the value; a neutral count rises in bad times, a neutral rate falls."""
    if rate.direction:
        return rate.direction
    return -1 if count else 1


def _at(values: np.ndarray, index: np.ndarray, default: float = 0.0) -> np.ndarray:
    """``values[index]`` with ``default`` where the index is -1 (a unit above districts, say)."""
    if len(values) == 0:
        return np.full(len(index), default)
    return np.where(index >= 0, values[np.maximum(index, 0)], default)


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


def _expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))
