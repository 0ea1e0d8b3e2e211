from .action import Action, ActionQuerySet, ActionTarget
from .imports import ImportBatch, PendingImport, RememberedChoice
from .period import PeriodClosed, PeriodEvent, ReportingPeriod, ReportSnapshot
from .reminders import UpdateReminder
from .status import RAG, DeliveryStatus, ReviewDecision, ReviewState, StatusSource, StatusUpdate, StatusUpdateQuerySet

__all__ = [
    "RAG",
    "Action",
    "ActionQuerySet",
    "ActionTarget",
    "DeliveryStatus",
    "ImportBatch",
    "PendingImport",
    "PeriodClosed",
    "PeriodEvent",
    "RememberedChoice",
    "ReportSnapshot",
    "ReportingPeriod",
    "ReviewDecision",
    "ReviewState",
    "StatusSource",
    "StatusUpdate",
    "StatusUpdateQuerySet",
    "UpdateReminder",
]
