"""How long a red flag has been open: the inbox's ``age`` and the API's ``first_seen_before`` go by when a flag was
first raised, ``since`` (the API's "seen lately") by when it was last seen, and the two combine.

Flags (all of Surat, Health, still holding unless said): raised 2 hours ago, 3 days ago, 10 days ago and 40 days
ago; and one raised 60 days ago whose condition was last seen 20 days ago.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from govpulse.catalog.models import Flag

NOW = datetime.now(UTC)
AGES = {"2h": timedelta(hours=2), "3d": timedelta(days=3), "10d": timedelta(days=10), "40d": timedelta(days=40)}


@pytest.fixture
def flags(app) -> dict[str, int]:
    """{name: flag id} of the flags above, written straight into the catalogue."""
    with app.state.session_factory() as session:
        rows = {name: _flag(name, NOW - age, NOW) for name, age in AGES.items()}
        rows["60d-quiet"] = _flag("60d-quiet", NOW - timedelta(days=60), NOW - timedelta(days=20))
        session.add_all(rows.values())
        session.commit()
        return {name: row.id for name, row in rows.items()}


def _flag(name: str, first_seen: datetime, last_seen: datetime) -> Flag:
    return Flag(rule=f"rule-{name}", kind="threshold", indicator="HLT_INST", org_unit="459",
                org_unit_path="/24/459/", department="HEALTH", period="202610", severity="high",
                message=name, first_seen=first_seen, last_seen=last_seen)


def _named(ids: dict[str, int], found: set[int]) -> set[str]:
    return {name for name, flag_id in ids.items() if flag_id in found}


def _inbox(client, query: str = "") -> set[int]:
    page = client.get(f"/flags?{query}")
    assert page.status_code == 200, page.text
    return {int(key) for key in re.findall(r'<tr data-key="(\d+)"', page.text)}


def _api(client, query: str = "") -> set[int]:
    answer = client.get(f"/api/v1/flags?status=any&{query}")
    assert answer.status_code == 200, answer.text
    return {flag["id"] for flag in answer.json()["items"]}


def test_the_inbox_age_means_open_for_more_than(client, flags):
    assert _named(flags, _inbox(client)) == set(flags)
    assert _named(flags, _inbox(client, "age=day")) == {"3d", "10d", "40d", "60d-quiet"}
    assert _named(flags, _inbox(client, "age=week")) == {"10d", "40d", "60d-quiet"}
    assert _named(flags, _inbox(client, "age=month")) == {"40d", "60d-quiet"}
    assert client.get("/flags?age=year").status_code == 400


def test_the_export_of_the_inbox_follows_the_same_age(client, flags):
    rows = list(csv.reader(io.StringIO(client.get("/export/flags.csv?age=week").content.decode("utf-8-sig"))))
    assert len(rows) == 1 + 3  # the header and the flags open for more than a week


def test_the_api_bounds_first_seen_and_last_seen(client, flags):
    two_days_ago = (NOW - timedelta(days=2)).date().isoformat()
    five_days_ago = (NOW - timedelta(days=5)).date().isoformat()
    assert _named(flags, _api(client)) == set(flags)
    # Raised before the day two days ago began: at least two days open.
    assert _named(flags, _api(client, f"first_seen_before={two_days_ago}")) == {"3d", "10d", "40d", "60d-quiet"}
    # ``since`` keeps its meaning: still seen on or after that day.
    assert _named(flags, _api(client, f"since={five_days_ago}")) == {"2h", "3d", "10d", "40d"}
    # Both: open for a while and still holding.
    assert _named(flags, _api(client, f"since={five_days_ago}&first_seen_before={five_days_ago}")) == {"10d", "40d"}
    assert client.get("/api/v1/flags?first_seen_before=yesterday").status_code == 422
