"""E-mail over SMTP (the standard library's ``smtplib``): any relay the government runs, or a mail provider."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from govpulse.catalog.models import User
from govpulse.settings import Settings
from govpulse.workflow.notify.base import Channel, ChannelError, Message

__all__ = ["EmailChannel"]


class EmailChannel(Channel):
    kind = "email"
    description = "E-mail through an SMTP server (smtp_host, smtp_port, smtp_from, optional login and STARTTLS)."

    def __init__(self, host: str, port: int = 25, sender: str = "govpulse@localhost", *, username: str = "",
                 password: str = "", starttls: bool = False, timeout: float = 10.0) -> None:
        self.host, self.port, self.sender = host, port, sender
        self.username, self.password, self.starttls, self.timeout = username, password, starttls, timeout

    @classmethod
    def from_settings(cls, settings: Settings) -> EmailChannel | None:
        if not settings.smtp_host:
            return None
        return cls(settings.smtp_host, settings.smtp_port, settings.smtp_from, username=settings.smtp_username,
                   password=settings.smtp_password, starttls=settings.smtp_starttls)

    def address_of(self, user: User) -> str:
        return user.email or ""

    def send(self, address: str, message: Message) -> str:
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = self.sender, address, message.subject
        mail["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or "govpulse")
        mail.set_content(message.body)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password)
                refused = smtp.send_message(mail)
        except (OSError, smtplib.SMTPException) as error:
            raise ChannelError(f"SMTP {self.host}:{self.port} did not take the message for {address}: "
                               f"{error}") from error
        if refused:
            raise ChannelError(f"SMTP {self.host}:{self.port} refused {', '.join(refused)}")
        return str(mail["Message-ID"])
