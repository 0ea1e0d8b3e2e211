"""What a file of indicator values would change: new values, corrections, and values already recorded."""

from dataclasses import dataclass, field
from decimal import Decimal

from indicators.imports.reading import ParsedValues, ValueCell
from indicators.models import IndicatorValue


@dataclass(frozen=True)
class Change:
    cell: ValueCell
    standing: IndicatorValue | None  # the value it would supersede

    @property
    def is_correction(self) -> bool:
        return self.standing is not None

    @property
    def period_label(self) -> str:
        return self.cell.indicator.period(self.cell.period).label


@dataclass
class ValuesPreview:
    new: list[Change] = field(default_factory=list)
    corrections: list[Change] = field(default_factory=list)
    unchanged: list[ValueCell] = field(default_factory=list)

    @property
    def to_write(self) -> list[Change]:
        return [*self.new, *self.corrections]

    @property
    def has_changes(self) -> bool:
        return bool(self.new or self.corrections)


def preview_values(parsed: ParsedValues, *, lock: bool = False) -> ValuesPreview:
    """Compare each cell with the value standing for its indicator and period. Two queries (three locked)."""
    indicator_ids = sorted({cell.indicator.pk for cell in parsed.cells})
    if lock:
        from indicators.models import Indicator

        # One fixed order, so two imports never wait on each other's locks in a cycle.
        list(Indicator.objects.select_for_update().filter(pk__in=indicator_ids).order_by("pk").values_list("pk"))
    standing = {
        (value.indicator_id, value.period): value
        for value in IndicatorValue.objects.filter(indicator_id__in=indicator_ids).standing()
    }
    preview = ValuesPreview()
    for cell in parsed.cells:
        current = standing.get((cell.indicator.pk, cell.period))
        if current is None:
            preview.new.append(Change(cell, None))
        elif _same(current, cell):
            preview.unchanged.append(cell)
        else:
            preview.corrections.append(Change(cell, current))
    return preview


def _same(value: IndicatorValue, cell: ValueCell) -> bool:
    return Decimal(value.value) == cell.value and value.provisional == cell.provisional
