"""The fields of a jobseeker and of a participation record are listed once, on the models
(Jobseeker.DESCRIBING_FIELDS, Participation.OUTCOME_FIELDS); the services, the API, the imports,
the exports and the admin read them, so a field added there is missed by none."""

from __future__ import annotations

import pytest
from django.contrib import admin

from actions.models import Action
from participants import imports
from participants.models import Jobseeker, Participation
from participants.serializers import (
    JobseekerChangeSerializer,
    JobseekerFieldsMixin,
    JobseekerSerializer,
    ParticipationChangeSerializer,
    ParticipationSerializer,
    ParticipationWriteSerializer,
)
from participants.services import jobseeker_update, jobseeker_upsert, participation_upsert


def test_the_api_writes_what_describes_a_jobseeker_and_the_outcomes_of_a_record():
    written = {*Jobseeker.DESCRIBING_FIELDS, *Jobseeker.SENSITIVE_FIELDS}
    assert set(JobseekerFieldsMixin().fields) == written
    assert set(JobseekerChangeSerializer().fields) == {"external_ref", *written}
    assert set(ParticipationChangeSerializer().fields) == set(Participation.WRITTEN_FIELDS)
    assert set(ParticipationWriteSerializer().fields) == {
        "action",
        "jobseeker",
        *Participation.WRITTEN_FIELDS,
    }


def test_the_api_shows_them():
    assert {*Jobseeker.DESCRIBING_FIELDS, *Jobseeker.SENSITIVE_FIELDS} <= set(
        JobseekerSerializer().fields
    )
    assert set(Participation.WRITTEN_FIELDS) <= set(ParticipationSerializer().fields)


def test_the_import_and_export_have_a_column_for_each():
    assert [imports.PERSONAL_COLUMNS[name] for name in Jobseeker.DESCRIBING_FIELDS] == [
        column for column in imports.COLUMNS if column in imports.PERSONAL_COLUMNS.values()
    ]
    assert set(Participation.WRITTEN_FIELDS) <= set(imports.COLUMNS)
    assert imports.ParticipationResource().get_export_headers() == list(imports.COLUMNS)
    # The special categories beside the other personal columns, only when asked.
    assert [
        column
        for column in imports.COLUMNS_WITH_SPECIAL_CATEGORIES
        if column not in imports.COLUMNS
    ] == list(imports.SENSITIVE_COLUMNS.values())
    assert imports.ParticipationResource(special_categories=True).get_export_headers() == list(
        imports.COLUMNS_WITH_SPECIAL_CATEGORIES
    )


def test_the_admin_inlines_edit_every_outcome():
    for model in (Action, Jobseeker):
        (inline,) = [
            inline
            for inline in admin.site._registry[model].inlines
            if inline.model is Participation
        ]
        assert {*Participation.OUTCOME_FIELDS, *Participation.ENTRY_FIELDS} <= set(inline.fields)
    # The follow-ups on the record's own page, in a section of their own.
    fieldsets = dict(admin.site._registry[Participation].fieldsets)
    assert fieldsets["Follow-up"]["fields"] == list(Participation.FOLLOW_UP_COLUMNS)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("service", "names"),
    [
        (jobseeker_upsert, {"pes": None, "external_ref": "X1"}),
        (jobseeker_update, {"jobseeker": None}),
        (participation_upsert, {"action": None, "jobseeker": None, "status": "started"}),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_the_services_refuse_a_field_they_do_not_know(service, names):
    with pytest.raises(TypeError, match=r"unknown \w+ fields: colour"):
        service(**names, colour="red")
