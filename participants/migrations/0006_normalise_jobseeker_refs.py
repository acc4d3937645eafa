"""Jobseekers' PES references stored as normalise_ref() writes them: without surrounding spaces,
in upper case, so that `vd-001` and `VD-001` are one jobseeker of a PES. Refuses, naming them,
references of one PES that would become the same: which jobseeker is the right one is for a
coordinator to say, not for a migration to guess. The pseudonym already hashed the normalised
reference, so it stays. The audit trail keeps the references as they were written."""

from __future__ import annotations

from typing import Any

from django.db import migrations


def normalise_refs(apps: Any, schema_editor: Any) -> None:
    Jobseeker = apps.get_model("participants", "Jobseeker")
    seen: dict[tuple[int, str], str] = {}
    clashes: list[str] = []
    changed = []
    for jobseeker in Jobseeker.objects.exclude(external_ref="").order_by("pk").iterator():
        normalised = jobseeker.external_ref.strip().upper()
        key = (jobseeker.pes_id, normalised)
        if key in seen:
            clashes.append(
                f"PES {jobseeker.pes_id}: {seen[key]!r} and {jobseeker.external_ref!r} "
                f"(jobseeker {jobseeker.pk})"
            )
            continue
        seen[key] = jobseeker.external_ref
        if normalised != jobseeker.external_ref:
            jobseeker.external_ref = normalised
            changed.append(jobseeker)
    if clashes:
        raise RuntimeError(
            "These references of one PES differ only in case or spaces; merge or correct the "
            "jobseekers before migrating: " + "; ".join(clashes)
        )
    Jobseeker.objects.bulk_update(changed, ["external_ref"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0005_jobseeker_by_name"),
    ]

    operations = [
        # Backwards the references stay normalised: their earlier case is not kept, and a
        # normalised reference is as good a reference.
        migrations.RunPython(normalise_refs, migrations.RunPython.noop),
    ]
