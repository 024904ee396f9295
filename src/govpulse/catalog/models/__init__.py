"""Catalogue tables. Importing this package registers every model on ``Base.metadata``."""

from govpulse.catalog.models.access import (
    ApiToken,
    AuditEntry,
    ExternalIdentity,
    LoginAttempt,
    RoleAssignment,
    UserSession,
)
from govpulse.catalog.models.base import Base
from govpulse.catalog.models.flags import Flag, FlagRun
from govpulse.catalog.models.identifier import Identifier
from govpulse.catalog.models.indicator import Constant, DataElement, Department, Indicator, Target
from govpulse.catalog.models.ingest import Batch, QuarantinedRow, SchedulerLock, SourceRun
from govpulse.catalog.models.orgunit import OrgUnit
from govpulse.catalog.models.source import Source
from govpulse.catalog.models.user import User
from govpulse.catalog.models.workflow import (
    Action,
    ActionEffect,
    ActionEvent,
    Attachment,
    Call,
    Commitment,
    Escalation,
    NotificationMessage,
)

__all__ = [
    "Action", "ActionEffect", "ActionEvent", "Attachment", "Call", "Commitment", "Escalation", "NotificationMessage",
    "ApiToken", "AuditEntry", "Base", "Batch", "Constant", "DataElement", "Department", "ExternalIdentity", "Flag", "FlagRun", "Identifier", "Indicator",
    "LoginAttempt", "OrgUnit", "QuarantinedRow", "RoleAssignment", "SchedulerLock", "Source", "SourceRun", "Target",
    "User", "UserSession",
]
