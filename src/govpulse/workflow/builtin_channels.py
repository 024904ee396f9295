"""The built-in notification channels, registered through ``register_notification_channels`` exactly as a
plugin's would be."""

from __future__ import annotations

from govpulse.hookspecs import hookimpl
from govpulse.workflow.notify.email import EmailChannel
from govpulse.workflow.notify.sms import SmsChannel
from govpulse.workflow.notify.whatsapp import WhatsAppChannel


@hookimpl
def register_notification_channels() -> list[type]:
    """email (SMTP), sms and whatsapp (HTTP gateways)."""
    return [EmailChannel, SmsChannel, WhatsAppChannel]
