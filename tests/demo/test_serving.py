"""``govpulse serve`` on a demo home runs the demo's source systems beside the app."""

from __future__ import annotations

import socket
from datetime import date

import httpx
from sqlalchemy import select

from govpulse.catalog.models import Department, Source
from govpulse.demo.build import write_demo_marker
from govpulse.demo.serving import demo_source_systems
from govpulse.demo.source_feeds import demo_source_definitions
from govpulse.installation import catalog_session
from govpulse.settings import Settings


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _settings(home) -> Settings:
    settings = Settings(home=home, port=_free_port())
    with catalog_session(settings) as session:
        session.add_all([Department(code=d.department, name=d.department.title())
                         for d in demo_source_definitions(home)])
    return settings


def test_a_demo_home_gets_its_feed_server_and_the_sources_point_at_it(tmp_path):
    settings = _settings(tmp_path)
    write_demo_marker(tmp_path, state="gujarat", today=date(2026, 11, 26))
    with demo_source_systems(settings) as feeds:
        assert feeds is not None
        answer = httpx.get(f"{feeds.url}/gsrtc/api/v1/daily-operations", params={"page": 1})
        assert answer.status_code == 200 and answer.json() == {"data": [], "page": 1}
        with catalog_session(settings) as session:
            urls = dict(session.execute(select(Source.code, Source.settings)).all())
        assert urls["transport_trips"]["url"] == f"{feeds.url}/gsrtc/api/v1/daily-operations"
        assert urls["wcd_anganwadi"]["base_url"] == f"{feeds.url}/dhis2"
    try:
        httpx.get(f"{feeds.url}/gsrtc/api/v1/daily-operations", timeout=1)
        stopped = False
    except httpx.TransportError:
        stopped = True
    assert stopped


def test_a_home_no_demo_built_is_served_as_it_is(tmp_path):
    with demo_source_systems(_settings(tmp_path)) as feeds:
        assert feeds is None
