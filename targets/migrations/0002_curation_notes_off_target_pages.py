"""Clear the curation notes that the seed stored as target descriptions: they showed on the target
pages as if they were the council's words. The notes now live in fixtures/README.md. Only a
description that is exactly one of those notes is cleared; anything an admin wrote is kept."""

from django.db import migrations

CURATION_NOTES = [
    'Title taken from the OCR column header, with the OCR noise "fl" and the trailing "t" removed. The header ended "... by" a year, but the year was lost in OCR, so target_year is left empty for an admin to fill in.',
    "Header lost in OCR. The title is reconstructed from the council's published headline aims (net zero for its own scope 1 and 2 emissions by 2030). It fits the marks: this column is marked by staff travel (action 12), fleet (24) and green electricity (45). Inferred, not verbatim: please check against the council's plan.",
    "Only \"supply chain emissions (all\" survived OCR. The rest is reconstructed from the council's published headline aims (halve indirect scope 3 emissions from a 2018 baseline by 2030, net zero across all scopes by 2045). It fits the marks: this column is marked by procurement actions (3, 26). target_year is 2030, the halving date; 2045 is the all-scopes net zero date. Inferred around the surviving words: please check against the council's plan.",
    "Title taken verbatim from the OCR column header.",
    "Header lost in OCR. The title is reconstructed from the council's published headline aims (net zero Cambridgeshire by 2045). It fits the marks: nearly every action marks this column. Inferred, not verbatim: please check against the council's plan.",
    "Only \"communities and businesses to\" survived OCR. The rest is reconstructed from the council's published headline aims (support communities and businesses to act and adapt). No year survived, so target_year is left empty. Inferred around the surviving words: please check against the council's plan.",
    "Title taken verbatim from the OCR column header. The flood and resilience actions (35, 36, 41) mark only this column.",
]


def clear_curation_notes(apps, schema_editor):
    Target = apps.get_model("targets", "Target")
    Target.objects.filter(description__in=CURATION_NOTES).update(description="")


class Migration(migrations.Migration):
    dependencies = [("targets", "0001_initial")]

    operations = [migrations.RunPython(clear_curation_notes, migrations.RunPython.noop)]
