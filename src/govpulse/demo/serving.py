"""While ``govpulse serve`` runs on a demo home, the demo's source systems run beside it.

The REST and DHIS2 demo sources read from ``DemoFeedServer``; it listens on the port after the web app's (or any
free port when that one is taken), and the sources are registered again with its address so the scheduler's
runs reach it. A home that no demo built is served as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from govpulse.demo.build import is_demo_home
from govpulse.demo.feed_server import DemoFeedServer
from govpulse.demo.source_feeds import register_demo_sources
from govpulse.installation import catalog_session
from govpulse.settings import Settings

__all__ = ["demo_source_systems"]


@contextmanager
def demo_source_systems(settings: Settings) -> Iterator[DemoFeedServer | None]:
    """The demo's feed server, started and registered (None for a home that is not a demo's)."""
    if not is_demo_home(settings.home):
        yield None
        return
    try:
        server = DemoFeedServer(settings.home, port=settings.port + 1)
    except OSError:  # the next port is taken: any free one will do, the sources are told where
        server = DemoFeedServer(settings.home)
    with server.start():
        with catalog_session(settings) as session:
            register_demo_sources(session, settings.home, server.url)
        yield server
