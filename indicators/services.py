"""Recording an indicator value: append, supersede the standing value for its period, refuse a stale write."""

from decimal import Decimal

from django.db import transaction

from indicators.models import Indicator, IndicatorValue

# `expected_latest` left out: the caller does not ask for the stale check (imports, seeding, tests).
UNCHECKED = object()


class ValueConflict(Exception):
    """Someone recorded a value for the indicator after the one the writer's form was based on."""

    def __init__(self, indicator: Indicator, current: IndicatorValue | None):
        self.indicator = indicator
        self.current = current
        super().__init__(f"A value of {indicator.name} was recorded while you were editing; nothing was saved.")


@transaction.atomic
def record_value(
    *,
    indicator: Indicator,
    period: str,
    value: Decimal,
    provisional: bool,
    note: str = "",
    recorded_by=None,
    source: str,
    import_batch=None,
    expected_latest=UNCHECKED,
    recorded_at=None,
) -> IndicatorValue:
    """Append a value for `period`, superseding the value that stood for it.

    With `expected_latest` (the indicator's latest recorded value when the writer's form was opened, or
    None if it had none), refuse with ValueConflict if a value has been recorded since. The check and
    the write happen under the indicator's row lock, so two writers starting from the same value cannot
    both succeed.
    """
    locked = Indicator.objects.select_for_update().get(pk=indicator.pk)
    # Read in statements of their own, after the lock, so they see what another writer just committed.
    if expected_latest is not UNCHECKED:
        latest = IndicatorValue.objects.filter(indicator=locked).select_related("recorded_by").latest_recorded()
        expected_id = getattr(expected_latest, "pk", expected_latest)
        if (latest.pk if latest else None) != expected_id:
            raise ValueConflict(locked, latest)
    key = locked.period(period).key
    standing = IndicatorValue.objects.filter(indicator=locked, period=key).standing().first()
    recorded = IndicatorValue(
        indicator=locked,
        period=key,
        value=value,
        provisional=provisional,
        note=note,
        recorded_by=recorded_by,
        source=source,
        import_batch=import_batch,
        supersedes=standing,
    )
    if recorded_at is not None:
        recorded.recorded_at = recorded_at
    recorded.full_clean()
    recorded.save()
    return recorded
