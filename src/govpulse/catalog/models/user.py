"""People who sign in. Role assignments and sessions arrive with the access issue."""

from __future__ import annotations

from sqlalchemy import String, false
from sqlalchemy.orm import Mapped, mapped_column

from govpulse.catalog.models.base import Base, Timestamped


class User(Timestamped, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(128), unique=True)
    full_name: Mapped[str] = mapped_column(String(255), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    phone: Mapped[str] = mapped_column(String(32), default="")
    password_hash: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(8), default="en")
    is_active: Mapped[bool] = mapped_column(default=True)
    # Set when someone else chose the password (the demo, ``govpulse user add``, an admin): until the owner
    # picks their own at /account/password, a password sign-in opens only that page (web/auth/first_password.py).
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=false())
