from .action import Action, ActionQuerySet, ActionTarget
from .definition import (
    ActionFunding,
    ActionLink,
    ActionMilestone,
    DefinitionChange,
    FundingState,
    Partner,
    PortfolioHolder,
    Service,
)
from .imports import ImportBatch, PendingImport, RememberedChoice
from .period import PeriodClosed, PeriodEvent, ReportingPeriod, ReportSnapshot
from .reminders import UpdateReminder
from .status import RAG, DeliveryStatus, ReviewDecision, ReviewState, StatusSource, StatusUpdate, StatusUpdateQuerySet

__all__ = [
    "RAG",
    "Action",
    "ActionFunding",
    "ActionLink",
    "ActionMilestone",
    "ActionQuerySet",
    "ActionTarget",
    "DefinitionChange",
    "DeliveryStatus",
    "FundingState",
    "ImportBatch",
    "Partner",
    "PendingImport",
    "PeriodClosed",
    "PeriodEvent",
    "PortfolioHolder",
    "RememberedChoice",
    "ReportSnapshot",
    "ReportingPeriod",
    "ReviewDecision",
    "ReviewState",
    "Service",
    "StatusSource",
    "StatusUpdate",
    "StatusUpdateQuerySet",
    "UpdateReminder",
]
