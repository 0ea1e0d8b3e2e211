from .action import Action, ActionQuerySet, ActionTarget
from .imports import ImportBatch, PendingImport, RememberedChoice
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
    "RememberedChoice",
    "ReportingPeriod",
    "StatusSource",
    "StatusUpdate",
    "StatusUpdateQuerySet",
    "UpdateReminder",
]
