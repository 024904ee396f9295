"""Notifications through real servers: e-mail to an SMTP server (aiosmtpd) running in the test, SMS and WhatsApp
to local HTTP gateways; every message recorded, failures too; the daily digest; the channel hook."""

from __future__ import annotations

import email
import json
import socket
from datetime import timedelta

import pluggy
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from govpulse import hookspecs
from govpulse.catalog.models import NotificationMessage
from govpulse.settings import Settings
from govpulse.workflow import builtin_channels
from govpulse.workflow.lifecycle import NewAction, open_action
from govpulse.workflow.notify.base import Message
from govpulse.workflow.notify.digest import send_daily_digests
from govpulse.workflow.notify.dispatch import Notifier, channel_classes, notifier_from_settings
from govpulse.workflow.notify.email import EmailChannel
from govpulse.workflow.notify.sms import SMS_LIMIT, HttpSmsProvider, RecordingSmsProvider, SmsChannel
from govpulse.workflow.notify.whatsapp import HttpWhatsAppProvider, WhatsAppChannel
from tests.ingest.api_server import ApiServer, Reply
from tests.workflow.world import make_world


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], email.message.Message]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    inbox.port = controller.port
    yield inbox
    controller.stop()


@pytest.fixture
def gateway():
    server = ApiServer().start()
    yield server
    server.stop()


def test_an_assignment_email_reaches_the_smtp_server(tmp_path, smtp):
    settings = Settings(home=tmp_path, smtp_host="127.0.0.1", smtp_port=smtp.port,
                        smtp_from="cmdashboard@gov.example")
    notifier = notifier_from_settings(settings, classes=[EmailChannel])
    world = make_world(tmp_path, notifier=notifier)
    scope, _ = world.act_as("cmo")
    action = open_action(world.ctx, scope, NewAction(assignee_role="talati", indicator="HLT_INST", org_unit="525001",
                                                     title="Institutional deliveries fell in Bhestan"))
    world.session.commit()
    assert len(smtp.messages) == 1
    sender, recipients, mail = smtp.messages[0]
    assert (sender, recipients) == ("cmdashboard@gov.example", ["talati.bhestan@gov.example"])
    assert mail["Subject"] == "Action assigned: Institutional deliveries fell in Bhestan"
    body = mail.get_payload(decode=True).decode()
    assert f"A-{action.id}" in body and f"/actions/{action.id}" in body and "Due by 12 Nov 2026" in body  # medium: 10 days
    row = world.session.scalar(select(NotificationMessage).where(NotificationMessage.action_id == action.id))
    assert (row.channel, row.recipient, row.status, row.event) == ("email", "talati.bhestan@gov.example", "sent",
                                                                    "assigned")
    assert row.provider_message_id == mail["Message-ID"]


def test_a_failed_delivery_is_recorded_and_does_not_stop_the_step(tmp_path):
    dead = EmailChannel("127.0.0.1", _free_port(), timeout=2)  # nothing listens there
    world = make_world(tmp_path, notifier=Notifier(channels=[dead]))
    scope, _ = world.act_as("cmo")
    action = open_action(world.ctx, scope, NewAction(assignee_role="talati", indicator="HLT_INST", org_unit="525001"))
    world.session.commit()
    row = world.session.scalar(select(NotificationMessage).where(NotificationMessage.action_id == action.id))
    assert row.status == "failed" and "did not take the message for talati.bhestan@gov.example" in row.error


def test_sms_and_whatsapp_through_their_http_gateways(tmp_path, gateway):
    gateway.route("/sms", lambda r: Reply(200, {"id": "sms-77"}) if r.bearer() == "sms-key" else Reply(401, {}))
    gateway.route("/wa", lambda r: Reply(200, {"messages": [{"id": "wamid.42"}]}))
    gateway.route("/down", lambda r: Reply(503, {"error": "maintenance"}))
    notifier = Notifier(channels=[SmsChannel(HttpSmsProvider(gateway.url("/sms"), "sms-key")),
                                  WhatsAppChannel(HttpWhatsAppProvider(gateway.url("/wa"), "wa-key"))])
    world = make_world(tmp_path, notifier=notifier)
    talati = world.users["talati"]
    long_body = "x" * 500
    rows = notifier.notify(world.session, event="reminder", users=[talati, talati, None],
                           message=Message("Reminder: A-1 is overdue", long_body))
    assert [(r.channel, r.recipient, r.status, r.provider_message_id) for r in rows] == [
        ("sms", "+917900525001", "sent", "sms-77"), ("whatsapp", "+917900525001", "sent", "wamid.42")]
    sms = json.loads(gateway.requests_to("/sms")[0].body)
    assert sms["to"] == "+917900525001" and len(sms["text"]) == SMS_LIMIT and sms["text"].startswith("Reminder")
    wa = gateway.requests_to("/wa")[0]
    assert wa.bearer() == "wa-key"
    assert json.loads(wa.body)["text"]["body"].endswith(long_body)  # WhatsApp takes the whole text
    down = Notifier(channels=[SmsChannel(HttpSmsProvider(gateway.url("/down")))])
    [failed] = down.notify(world.session, event="reminder", users=[talati], message=Message("s", "b"))
    assert failed.status == "failed" and "answered 503" in failed.error


def test_the_daily_digest_goes_once_a_day_to_each_officer_with_open_actions(tmp_path, smtp):
    notifier = Notifier(channels=[EmailChannel("127.0.0.1", smtp.port)])
    world = make_world(tmp_path, notifier=notifier)
    scope, _ = world.act_as("cmo")
    for org_unit, role in (("525001", "talati"), ("525001", "tdo"), ("525001", "talati")):
        open_action(world.ctx, scope, NewAction(assignee_role=role, indicator="HLT_INST", org_unit=org_unit,
                                                severity="critical"))
    world.session.commit()
    smtp.messages.clear()
    world.clock.advance(days=3)  # critical: due after 2 days, so overdue now
    assert send_daily_digests(world.session, notifier, world.clock()) == 2
    assert send_daily_digests(world.session, notifier, world.clock() + timedelta(hours=2)) == 0  # same day
    digests = {to[0]: mail for _, to, mail in smtp.messages}
    assert set(digests) == {"talati.bhestan@gov.example", "tdo.choryasi@gov.example"}
    assert digests["talati.bhestan@gov.example"]["Subject"] == "govpulse: 2 open action(s), 2 overdue"
    assert send_daily_digests(world.session, notifier, world.clock() + timedelta(days=1)) == 2


def test_channels_register_through_the_hook(tmp_path):
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    manager.register(builtin_channels)
    classes = channel_classes(manager)
    assert {kind: cls.__name__ for kind, cls in classes.items()} == {
        "email": "EmailChannel", "sms": "SmsChannel", "whatsapp": "WhatsAppChannel"}
    configured = notifier_from_settings(Settings(home=tmp_path, sms_provider_url="http://127.0.0.1:9/sms"),
                                        classes=classes.values())
    assert [c.kind for c in configured.channels] == ["sms"]  # only what the settings configure
    recording = RecordingSmsProvider()
    SmsChannel(recording).send("+91", Message("s", "b"))
    assert recording.sent == [("+91", "s\nb")]
