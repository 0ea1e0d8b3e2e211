from .action import Action, ActionQuerySet, ActionTarget
from .imports import ImportBatch, PendingImport
from .period import ReportingPeriod
from .reminders import UpdateReminder
from .status import RAG, DeliveryStatus, StatusSource, StatusUpdate, StatusUpdateQuerySet

__all__ = [
    "RAG",
    "Action",
    "ActionQuerySet",
    "ActionTarget",
    "DeliveryStatus",
    "ImportBatch",
    "PendingImport",
    "ReportingPeriod",
    "StatusSource",
    "StatusUpdate",
    "StatusUpdateQuerySet",
    "UpdateReminder",
]
