"""The seeded indicators (fixtures/indicators.json: goals, no values) and, in development only, demonstration
values to see the pages working. Target 6 (supporting communities and businesses) names nothing to measure,
so it has no indicator."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from actions.seed import FIXTURES
from indicators.models import Indicator, IndicatorValue, ValueSource

SEED_INDICATORS = FIXTURES / "indicators.json"

# Made-up series for development: (slug, [(period, value, provisional)]). Never loaded when DEBUG is off,
# and every value is recorded as demonstration data, which every page showing it says.
DEMO_VALUES = {
    "council-scope-1-2-emissions": [
        ("2018-19", "21000", False),
        ("2019-20", "19400", False),
        ("2020-21", "16800", False),
        ("2021-22", "15200", False),
        ("2022-23", "13100", False),
        ("2023-24", "11400", True),
    ],
    "cambridgeshire-emissions": [
        ("2016", "4900000", False),
        ("2017", "4800000", False),
        ("2018", "4750000", False),
        ("2019", "4650000", False),
        ("2020", "4300000", False),
        ("2021", "4500000", True),
    ],
    "council-assets-resilient": [("2022-23", "12", False), ("2023-24", "15", True)],
}


def load_indicators() -> int:
    """Load the seeded indicators into a database that has none; returns how many it loaded."""
    if Indicator.objects.exists():
        return 0
    call_command("loaddata", str(SEED_INDICATORS), verbosity=0)
    return Indicator.objects.count()


class DemoRefused(Exception):
    pass


@transaction.atomic
def add_demo_values(*, now=None) -> int:
    """Demonstration values for indicators that have none yet; development (DEBUG) only."""
    if not settings.DEBUG:
        raise DemoRefused("Demonstration values are for development only; they are not added when DEBUG is off.")
    now = now or timezone.now()
    created = 0
    for slug, series in DEMO_VALUES.items():
        indicator = Indicator.objects.filter(slug=slug).first()
        if indicator is None or indicator.values.exists():
            continue
        IndicatorValue.objects.bulk_create(
            IndicatorValue(
                indicator=indicator,
                period=period,
                value=Decimal(value),
                provisional=provisional,
                note="Demonstration data, made up for development.",
                source=ValueSource.DEMO,
                recorded_at=now - timedelta(minutes=len(series) - index),
            )
            for index, (period, value, provisional) in enumerate(series)
        )
        created += len(series)
    return created
