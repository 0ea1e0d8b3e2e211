"""The plan this service tracks, named in one place. Pages, downloads, the API and exports read it from here.

Today the service holds one plan, configured in settings; when it holds several, `current_plan()` becomes
a Plan row (its name, council and licence as fields) and these callers keep working.
"""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class PlanIdentity:
    name: str
    council: str
    licence_name: str
    licence_url: str


def current_plan() -> PlanIdentity:
    return PlanIdentity(
        name=settings.CCES_PLAN_NAME,
        council=settings.CCES_COUNCIL_NAME,
        licence_name=settings.CCES_DATA_LICENCE_NAME,
        licence_url=settings.CCES_DATA_LICENCE_URL,
    )
