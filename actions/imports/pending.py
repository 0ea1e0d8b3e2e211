"""An upload between preview and confirm: kept server-side with the outcome of reading it, read once.

The file is read at upload, and again only when the plan admin changes a choice in the mapping step; viewing
and paging the preview, and confirming, use the stored outcome.
"""

from datetime import timedelta

from django.utils import timezone

from actions.imports.choices import ReadingChoices
from actions.imports.reading import read_plan_file
from actions.imports.rows import ParsedFile, target_headings
from actions.models import PendingImport, RememberedChoice

PENDING_LIFETIME = timedelta(hours=2)


def remembered_choices() -> ReadingChoices:
    """The choices plan admins asked to have remembered for future imports."""
    choices = ReadingChoices()
    by_kind = {
        RememberedChoice.Kind.COLUMN: choices.columns,
        RememberedChoice.Kind.STATUS: choices.status_words,
        RememberedChoice.Kind.RAG: choices.rag_words,
    }
    for kind, key, meaning in RememberedChoice.objects.values_list("kind", "key", "meaning"):
        by_kind[kind][key] = meaning
    return choices


def read_with_choices(data: bytes, file_name: str, choices: ReadingChoices | None = None) -> ParsedFile:
    """Read a file with the remembered choices, overridden by `choices` (this upload's or the command line's)."""
    from targets.models import Target

    effective = remembered_choices().overridden_by(choices or ReadingChoices())
    return read_plan_file(data, file_name, target_headings(Target.objects.all()), effective)


def hold_upload(*, data: bytes, file_name: str, period_slug: str, user, now=None) -> PendingImport:
    """Read an uploaded file and keep it, with what was read, until its owner confirms or cancels, or it expires."""
    now = now or timezone.now()
    PendingImport.objects.expired(now=now).delete()
    parsed = read_with_choices(data, file_name)
    return PendingImport.objects.create(
        user=user,
        period_slug=period_slug,
        file_name=file_name[:255],
        data=data,
        parsed=parsed.to_json(),
        created_at=now,
        expires_at=now + PENDING_LIFETIME,
    )


def parsed_upload(pending: PendingImport) -> ParsedFile:
    """What was read from the upload; read now only if it was stored before outcomes were kept."""
    if pending.parsed is None:
        reread(pending, ReadingChoices.from_json(pending.choices))
    return ParsedFile.from_json(pending.parsed)


def reread(pending: PendingImport, choices: ReadingChoices) -> ParsedFile:
    """Read the upload again with this upload's choices, and keep the outcome."""
    parsed = read_with_choices(bytes(pending.data), pending.file_name, choices)
    pending.choices = choices.to_json()
    pending.parsed = parsed.to_json()
    pending.save(update_fields=["choices", "parsed"])
    return parsed


def remember(choices: ReadingChoices, texts: dict[tuple[str, str], str], *, user) -> int:
    """Keep `choices` for future imports; `texts` gives each (kind, key) as the file wrote it. Returns how many."""
    kinds = (
        (RememberedChoice.Kind.COLUMN, choices.columns),
        (RememberedChoice.Kind.STATUS, choices.status_words),
        (RememberedChoice.Kind.RAG, choices.rag_words),
    )
    count = 0
    for kind, chosen in kinds:
        for key, meaning in chosen.items():
            text = texts.get((kind, key), key)
            RememberedChoice.objects.update_or_create(
                kind=kind,
                key=RememberedChoice.key_for(kind, text),
                defaults={
                    "text": text[:200],
                    "meaning": meaning,
                    "remembered_by": user,
                    "remembered_at": timezone.now(),
                },
            )
            count += 1
    return count
