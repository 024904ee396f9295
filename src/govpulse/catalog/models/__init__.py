"""Catalogue tables. Importing this package registers every model on ``Base.metadata``."""

from govpulse.catalog.models.base import Base
from govpulse.catalog.models.indicator import Constant, DataElement, Department, Indicator, Target
from govpulse.catalog.models.orgunit import OrgUnit
from govpulse.catalog.models.source import Source
from govpulse.catalog.models.user import User

__all__ = ["Base", "Constant", "DataElement", "Department", "Indicator", "OrgUnit", "Source", "Target", "User"]
