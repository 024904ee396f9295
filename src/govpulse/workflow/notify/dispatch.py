"""The ``Notifier``: sends one message to each person through every channel that reaches them, and records
every message (sent, failed, or undeliverable when no channel reaches the person) in ``notification_message``.

A failing channel never fails the step that caused the message: the action is still assigned, escalated or
closed, and the failure is on record for the dashboard staff to follow up by phone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from govpulse.catalog.models import NotificationMessage, User
from govpulse.catalog.models.base import utcnow
from govpulse.plugins import collect_by_kind, get_plugin_manager
from govpulse.settings import Settings
from govpulse.workflow.notify.base import Channel, ChannelError, Message

__all__ = ["Notifier", "channel_classes", "notifier_from_settings", "SENT", "FAILED", "UNDELIVERABLE"]

SENT, FAILED, UNDELIVERABLE = "sent", "failed", "undeliverable"


@dataclass
class Notifier:
    channels: Sequence[Channel] = ()
    clock: Callable[[], datetime] = field(default=utcnow)

    def notify(self, session: Session, *, event: str, users: Iterable[User | None], message: Message,
               action_id: int | None = None) -> list[NotificationMessage]:
        """Tell each (active, distinct) user ``message``; returns the rows recorded."""
        recorded: list[NotificationMessage] = []
        seen: set[int] = set()
        for user in users:
            if user is None or not user.is_active or user.id in seen:
                continue
            seen.add(user.id)
            rows = [self._send(channel, user, event, message, action_id) for channel in self.channels
                    if channel.address_of(user)]
            if not rows:
                rows = [self._row(user, "none", "", event, message, action_id, UNDELIVERABLE,
                                  error=f"no configured channel reaches {user.username} (no e-mail or phone, or "
                                        "no channel set up)")]
            recorded.extend(rows)
        session.add_all(recorded)
        session.flush()
        return recorded

    def _send(self, channel: Channel, user: User, event: str, message: Message,
              action_id: int | None) -> NotificationMessage:
        address = channel.address_of(user)
        try:
            provider_id = channel.send(address, message)
        except ChannelError as error:
            return self._row(user, channel.kind, address, event, message, action_id, FAILED, error=str(error))
        return self._row(user, channel.kind, address, event, message, action_id, SENT, provider_id=provider_id)

    def _row(self, user: User, channel: str, address: str, event: str, message: Message, action_id: int | None,
             status: str, *, error: str = "", provider_id: str = "") -> NotificationMessage:
        return NotificationMessage(action_id=action_id, user_id=user.id, channel=channel, event=event,
                                   recipient=address or user.username, subject=message.subject[:255],
                                   body=message.body, status=status, error=error,
                                   provider_message_id=provider_id[:128], created_at=self.clock())


def channel_classes(manager=None) -> dict[str, type[Channel]]:
    """Every registered notification channel class, by kind (built-in ones through the same hook)."""
    manager = manager or get_plugin_manager()
    return collect_by_kind(manager.hook.register_notification_channels(), "notification channel")


def notifier_from_settings(settings: Settings, classes: Iterable[type[Channel]] | None = None,
                           clock: Callable[[], datetime] = utcnow) -> Notifier:
    """A notifier with every channel ``settings`` configure (none configured: messages are recorded as
    undeliverable, so nothing is silently lost)."""
    chosen = channel_classes().values() if classes is None else classes
    channels = [channel for cls in chosen if (channel := cls.from_settings(settings)) is not None]
    return Notifier(channels=channels, clock=clock)
