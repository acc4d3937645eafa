"""Audit trail of the app's models; registered after modeltranslation (see projects/history.py).

An action's history also tells what changed in the rows entered on its page (figures, employers,
jobs, participation records): the admin writes it as the change reason of the action's entry of
that save (inline_changes below), so the reason is a text field there, not 100 characters.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

import simple_history
from django import forms
from django.db import models
from django.utils import formats
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .models import Action, ActionEmployer, Certificate, Figure, JobOffer, Sector

for model in (Sector, Certificate, ActionEmployer, JobOffer, Figure):
    simple_history.register(model)
simple_history.register(
    Action,
    m2m_fields=["organisers", "offices", "certificates"],
    history_change_reason_field=models.TextField(null=True),
)

# Rows and values that name a person are written by their number only: the action's history
# outlives a jobseeker's erasure and is read by everyone who reads the action.
PERSONAL_MODELS = frozenset({"participants.jobseeker", "participants.participation"})


def inline_changes(formsets: Iterable[Any], removed: Mapping[int, object]) -> list[str]:
    """One line per row added, changed or removed by these saved inline formsets, in the active
    language: "Figure “Started VDAB: 14”: value 12 → 14", "Figure “Started VDAB: 12” removed
    (reason: typo)". Fields not changed are not named. ``removed``: the id of each instance to
    delete, by id(instance), taken before the save (a deleted row loses it)."""
    lines: list[str] = []
    for formset in formsets:
        deleted = {id(obj) for obj in getattr(formset, "deleted_objects", [])}
        for form in formset.forms:
            obj = form.instance
            if id(obj) in deleted:
                reason = form.cleaned_data.get("deletion_reason", "")
                line = _("%(row)s removed") % {"row": _row(obj, removed.get(id(obj)))}
                if reason:
                    line += " " + _("(reason: %(reason)s)") % {"reason": reason}
                lines.append(line)
            elif any(obj is new for new in getattr(formset, "new_objects", [])):
                lines.append(_("%(row)s added") % {"row": _row(obj, obj.pk)})
            elif any(obj is changed for changed, _fields in formset.changed_objects):
                changes = [
                    _("%(field)s %(old)s → %(new)s")
                    % {
                        "field": form.fields[name].label or name,
                        "old": _shown(form.fields[name], form.initial.get(name)),
                        "new": _shown(form.fields[name], form.cleaned_data.get(name)),
                    }
                    for name in form.changed_data
                    if name != "deletion_reason"
                ]
                if changes:
                    lines.append(f"{_row(obj, obj.pk)}: {', '.join(changes)}")
    return lines


def _row(obj: models.Model, pk: object) -> str:
    name = capfirst(str(obj._meta.verbose_name))
    if obj._meta.label_lower in PERSONAL_MODELS:
        return f"{name} #{pk}"
    return f"{name} “{obj}”"


def _shown(field: forms.Field, value: object) -> str:
    """A value as the form shows it: the text of a choice or a related row, dates day first."""
    if value is None or value == "":
        return "—"
    if isinstance(field, forms.ModelChoiceField):
        related = value if isinstance(value, models.Model) else None
        if related is None and field.queryset is not None:
            related = field.queryset.filter(pk=value).first()
        if related is None:
            return f"#{value}"
        if related._meta.label_lower in PERSONAL_MODELS:
            return f"#{related.pk}"
        return str(related)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(field, forms.ChoiceField):
        choices: Any = field.choices
        return str(dict(choices).get(value, value))
    return str(value)
