from django.db import migrations, models

# The seeded plan's uncertain words (fixtures/README.md, "Words kept as-is and flagged as uncertain"), as they
# stood when this migration was written: marked on databases seeded before the field existed, where the text
# still holds them. actions/seed.py marks them on a new seed.
UNCERTAIN = {
    5: ["Maximising releaved be generation"],
    9: ["Deconcertaine of climate into paintbourbood class:", "to et this up"],
}


def mark_uncertain_words(apps, schema_editor):
    Action = apps.get_model("actions", "Action")
    for action in Action.objects.filter(number__in=UNCERTAIN, wording_to_check=""):
        found = [phrase for phrase in UNCERTAIN[action.number] if phrase in action.text]
        if found:
            action.wording_to_check = "\n".join(found)
            action.save(update_fields=["wording_to_check"])


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0011_plan_admins_delete_periods"),
    ]

    operations = [
        migrations.AddField(
            model_name="action",
            name="wording_to_check",
            field=models.TextField(
                blank=True,
                help_text="Words in the text kept as the source gave them because they are uncertain (garbled by "
                "OCR, or a possible typo), one phrase per line, exactly as in the text. Plan admins see them marked "
                "on the action's page. Empty this box (or use the list's \"Mark the wording as checked\") once "
                "checked.",
                verbose_name="wording to be checked",
            ),
        ),
        migrations.RunPython(mark_uncertain_words, migrations.RunPython.noop),
    ]
