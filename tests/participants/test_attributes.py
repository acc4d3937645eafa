"""Who took part, at entry: gender on the jobseeker, the labour-market status and unemployment
duration at entry and the follow-ups on the participation, through every write and read path
(the API, the import and its export, the admin, the access export and erasure); disability and
foreign background only with the setting and the permission."""

from __future__ import annotations

import datetime
import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from participants.gdpr import jobseeker_access_report, jobseeker_erase
from participants.imports import ParticipationResource, import_participations
from participants.models import (
    EntryStatus,
    Gender,
    Jobseeker,
    Participation,
    UnemploymentDuration,
)
from tests.factories import ActionFactory, JobseekerFactory, ParticipationFactory
from tests.helpers import if_match
from tests.participants.test_imports import csv_file, problems

pytestmark = pytest.mark.django_db

START = "2017-11-28"


def grant(user):
    user.user_permissions.add(Permission.objects.get(codename="view_special_categories"))
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def kept(settings):
    settings.SPECIAL_CATEGORY_DATA = True


@pytest.fixture
def action(vdab):
    return ActionFactory(
        reference="gt-2017-jobdating-veurne", start_date=datetime.date(2017, 11, 28)
    )


@pytest.fixture
def client_for():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


# The API.


def test_the_api_writes_and_reads_the_state_at_entry_and_the_follow_ups(
    action, vdab, partner_vdab, client_for
):
    client = client_for(partner_vdab)
    JobseekerFactory(pes=vdab, external_ref="VD-1")
    created = post(
        client,
        "/api/v1/participations/",
        {
            "action": action.pk,
            "jobseeker": {"ref": "VD-1"},
            "status": "completed",
            "started_on": START,
            "completed_on": START,
            "entry_status": "long_term_unemployed",
            "unemployment_duration": "12_to_24_months",
            "leaving_situation": "employed",
            "leaving_checked_on": "2017-12-01",
            "leaving_source": "pes_register",
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert {name: body[name] for name in Participation.ENTRY_FIELDS} == {
        "entry_status": "long_term_unemployed",
        "unemployment_duration": "12_to_24_months",
    }
    assert {name: body[name] for name in Participation.FOLLOW_UP_COLUMNS} == {
        "leaving_situation": "employed",
        "leaving_checked_on": "2017-12-01",
        "leaving_source": "pes_register",
        "six_month_situation": "",
        "six_month_checked_on": None,
        "six_month_source": "",
    }
    participation = Participation.objects.get()
    changed = client.patch(
        f"/api/v1/participations/{participation.pk}/",
        {
            "six_month_situation": "better_situation",
            "six_month_checked_on": "2018-06-01",
            "six_month_source": "survey",
        },
        format="json",
        **if_match(participation),
    )
    assert changed.status_code == 200, changed.json()
    participation.refresh_from_db()
    # The fields not sent stay as they were.
    assert (
        participation.entry_status,
        participation.leaving_situation,
        participation.six_month_situation,
        participation.six_month_source,
    ) == ("long_term_unemployed", "employed", "better_situation", "survey")
    listed = client.get("/api/v1/participations/?entry_status=long_term_unemployed").json()
    assert [item["id"] for item in listed["results"]] == [participation.pk]
    assert client.get("/api/v1/participations/?entry_status=inactive").json()["results"] == []


def test_the_api_refuses_bad_values_and_broken_rules_by_field(
    action, vdab, partner_vdab, client_for
):
    client = client_for(partner_vdab)
    JobseekerFactory(pes=vdab, external_ref="VD-1")
    bad = post(
        client,
        "/api/v1/participations/",
        {
            "action": action.pk,
            "jobseeker": {"ref": "VD-1"},
            "status": "started",
            "started_on": START,
            "entry_status": "retired",
        },
    )
    assert bad.status_code == 400
    assert bad.json() == {"entry_status": ['"retired" is not a valid choice.']}
    broken = post(
        client,
        "/api/v1/participations/",
        {
            "action": action.pk,
            "jobseeker": {"ref": "VD-1"},
            "status": "started",
            "started_on": START,
            "leaving_situation": "employed",
        },
    )
    assert broken.status_code == 400
    assert broken.json() == {
        "leaving_checked_on": ["Needed with the situation: when and by what it was known."],
        "leaving_source": ["Needed with the situation: when and by what it was known."],
    }
    assert not Participation.objects.exists()


def test_the_push_writes_them_and_refuses_an_item_by_its_place(
    action, vdab, partner_vdab, client_for
):
    client = client_for(partner_vdab)
    JobseekerFactory(pes=vdab, external_ref="VD-1")
    JobseekerFactory(pes=vdab, external_ref="VD-2")
    item = {"action": action.reference, "status": "started", "started_on": START}
    refused = post(
        client,
        "/api/v1/participations/push/",
        {
            "participations": [
                {**item, "jobseeker": {"ref": "VD-1"}, "entry_status": "inactive"},
                {**item, "jobseeker": {"ref": "VD-2"}, "six_month_source": "survey"},
            ]
        },
    )
    assert refused.status_code == 400
    assert "six_month_source" in json.dumps(refused.json())
    assert not Participation.objects.exists()
    pushed = post(
        client,
        "/api/v1/participations/push/",
        {
            "participations": [
                {**item, "jobseeker": {"ref": "VD-1"}, "entry_status": "inactive"},
                {**item, "jobseeker": {"ref": "VD-2"}, "unemployment_duration": "under_6_months"},
            ]
        },
    )
    assert pushed.status_code == 200, pushed.json()
    assert sorted(
        Participation.objects.values_list(
            "jobseeker__external_ref", "entry_status", "unemployment_duration"
        )
    ) == [("VD-1", "inactive", ""), ("VD-2", "", "under_6_months")]


def test_the_api_writes_and_filters_the_gender(partner_vdab, client_for):
    client = client_for(partner_vdab)
    pushed = post(
        client,
        "/api/v1/jobseekers/push/",
        {
            "jobseekers": [
                {"external_ref": "VD-1", "gender": "woman"},
                {"external_ref": "VD-2"},
            ]
        },
    )
    assert pushed.status_code == 200
    assert [r["gender"] for r in pushed.json()["results"]] == ["woman", "not_given"]
    women = client.get("/api/v1/jobseekers/?gender=woman").json()["results"]
    assert [j["external_ref"] for j in women] == ["VD-1"]
    bad = post(
        client,
        "/api/v1/jobseekers/push/",
        {"jobseekers": [{"external_ref": "VD-3", "gender": "f"}]},
    )
    assert bad.status_code == 400
    assert bad.json() == {"jobseekers": {"0": {"gender": ['"f" is not a valid choice.']}}}


# The import.

HEADER = [
    "pes",
    "reference",
    "gender",
    "status",
    "started_on",
    "entry_status",
    "unemployment_duration",
]


def label(choice, language: str) -> str:
    with translation.override(language):
        return str(choice.label)


def test_the_import_reads_values_and_their_names_in_each_language(action):
    rows = [
        HEADER,
        [
            "vdab",
            "V-1",
            label(Gender.WOMAN, "nl"),
            "started",
            START,
            label(EntryStatus.LONG_TERM_UNEMPLOYED, "nl"),
            "6_to_12_months",
        ],
        ["vdab", "V-2", label(Gender.WOMAN, "fr").upper(), "started", START, "Inactive", ""],
        ["vdab", "V-3", "man", "started", START, "long term unemployed", "24 months or more"],
        [
            "vdab",
            "V-4",
            "",
            "started",
            START,
            "",
            label(UnemploymentDuration.UNDER_6_MONTHS, "en"),
        ],
    ]
    result = import_participations(
        action=action,
        filename="a.csv",
        data=csv_file(rows, delimiter=";", encoding="utf-8"),
        dry_run=False,
    )
    assert problems(result) == []
    assert list(
        Participation.objects.order_by("jobseeker__external_ref").values_list(
            "jobseeker__external_ref", "jobseeker__gender", "entry_status", "unemployment_duration"
        )
    ) == [
        ("V-1", "woman", "long_term_unemployed", "6_to_12_months"),
        ("V-2", "woman", "inactive", ""),
        ("V-3", "man", "long_term_unemployed", "24_months_or_more"),
        ("V-4", "not_given", "", "under_6_months"),
    ]


def test_a_bad_value_names_its_row_column_and_the_allowed_values_and_nothing_is_written(action):
    rows = [
        HEADER,
        ["vdab", "V-1", "f", "started", START, "unemployed", ""],
        ["vdab", "V-2", "woman", "started", START, "retired", "forever"],
    ]
    result = import_participations(
        action=action,
        filename="a.csv",
        data=csv_file(rows, delimiter=";", encoding="utf-8"),
        dry_run=False,
    )
    assert problems(result) == [
        'Row 2, column gender: "f" is not a gender; use woman, man, non_binary, not_given or '
        "leave it empty.",
        'Row 3, column entry_status: "retired" is not a labour-market status at entry; use '
        "unemployed, long_term_unemployed, inactive, employed or leave it empty.",
        'Row 3, column unemployment_duration: "forever" is not a duration of unemployment; use '
        "under_6_months, 6_to_12_months, 12_to_24_months, 24_months_or_more or leave it empty.",
    ]
    assert not Jobseeker.objects.exists()
    assert not Participation.objects.exists()


def test_the_import_keeps_the_follow_ups_rules(action):
    rows = [
        ["pes", "reference", "status", "started_on", "leaving_situation", "leaving_checked_on"],
        ["vdab", "V-1", "started", START, "employed", "2017-12-01"],
    ]
    result = import_participations(
        action=action,
        filename="a.csv",
        data=csv_file(rows, delimiter=";", encoding="utf-8"),
        dry_run=False,
    )
    assert problems(result) == [
        "Row 2, column leaving_source: Needed with the situation: when and by what it was known."
    ]
    assert not Participation.objects.exists()


SENSITIVE_ROWS = [
    ["pes", "reference", "status", "started_on", "disability", "foreign_background"],
    ["vdab", "V-1", "started", START, "yes", "no"],
]


def test_the_special_categories_are_imported_by_an_allowed_user(kept, action, coordinator):
    result = import_participations(
        action=action,
        filename="a.csv",
        data=csv_file(SENSITIVE_ROWS, delimiter=";", encoding="utf-8"),
        dry_run=False,
        user=grant(coordinator),
    )
    assert problems(result) == []
    assert list(Jobseeker.objects.values_list("has_disability", "foreign_background")) == [
        (True, False)
    ]


@pytest.mark.parametrize(
    ("setting", "holds", "expected"),
    [
        (
            True,
            False,
            "Column disability, foreign_background: importing special categories of personal "
            "data needs the permission to read them; remove the column or ask a user who holds "
            "it.",
        ),
        (
            False,
            True,
            "Unknown column: disability, foreign_background. Special categories of personal data "
            "are not kept on this server; remove the column.",
        ),
    ],
)
def test_the_special_categories_are_refused_otherwise(
    settings, action, coordinator, setting, holds, expected
):
    settings.SPECIAL_CATEGORY_DATA = setting
    user = grant(coordinator) if holds else coordinator
    result = import_participations(
        action=action,
        filename="a.csv",
        data=csv_file(SENSITIVE_ROWS, delimiter=";", encoding="utf-8"),
        dry_run=False,
        user=user,
    )
    assert problems(result) == [expected]
    assert not Jobseeker.objects.exists()


# The export of the admin.


@pytest.fixture
def anna(vdab, action):
    jobseeker = JobseekerFactory(
        pes=vdab,
        external_ref="VD-001",
        gender="woman",
        has_disability=True,
        foreign_background=False,
    )
    ParticipationFactory(
        action=action,
        jobseeker=jobseeker,
        started_on=datetime.date(2017, 11, 28),
        entry_status="unemployed",
    )
    return jobseeker


def test_the_export_has_the_special_categories_only_when_asked(anna):
    plain = ParticipationResource().export(queryset=Participation.objects.all())
    assert "disability" not in plain.headers
    assert plain.dict[0]["gender"] == "woman"
    assert plain.dict[0]["entry_status"] == "unemployed"
    full = ParticipationResource(special_categories=True).export(
        queryset=Participation.objects.all()
    )
    assert (full.dict[0]["disability"], full.dict[0]["foreign_background"]) == ("yes", "no")


@pytest.mark.parametrize("holds", [True, False])
def test_the_admin_export_follows_the_permission(kept, client, coordinator, anna, holds):
    user = grant(coordinator) if holds else coordinator
    client.force_login(user)
    response = client.post(
        reverse("admin:participants_participation_export"), {"format": "0", "resource": "0"}
    )
    assert response.status_code == 200
    header = response.content.decode("utf-8-sig").splitlines()[0]
    assert ("disability" in header) is holds
    assert "gender" in header


# The admin.


@pytest.mark.parametrize("holds", [True, False])
def test_the_jobseeker_form_shows_them_only_to_an_allowed_user(
    kept, client, coordinator, anna, holds
):
    client.force_login(grant(coordinator) if holds else coordinator)
    page = client.get(reverse("admin:participants_jobseeker_change", args=[anna.pk]))
    form = page.context["adminform"].form
    assert "gender" in form.fields
    assert ("has_disability" in form.fields) is holds
    assert ("Special categories of personal data" in page.content.decode()) is holds


def test_a_user_who_may_not_see_them_cannot_change_them_in_the_admin(
    kept, client, coordinator, anna
):
    client.force_login(coordinator)
    url = reverse("admin:participants_jobseeker_change", args=[anna.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields and value is not None
    }
    data.update(
        {
            "pes": anna.pes_id,
            "gender": "man",
            "has_disability": "false",
            "version": anna.version,
            "participations-TOTAL_FORMS": "0",
            "participations-INITIAL_FORMS": "0",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    anna.refresh_from_db()
    assert (anna.gender, anna.has_disability) == ("man", True)


def test_the_history_hides_their_changes_from_a_user_who_may_not_see_them(
    kept, client, coordinator, anna
):
    anna.has_disability = False
    anna.save()
    url = reverse("admin:participants_jobseeker_history", args=[anna.pk])
    client.force_login(coordinator)
    assert "disability" not in client.get(url).content.decode().lower()
    client.force_login(grant(coordinator))
    assert "disability" in client.get(url).content.decode().lower()


def test_the_participation_form_groups_the_follow_ups_and_the_lists_filter(
    client, coordinator, anna
):
    client.force_login(coordinator)
    participation = anna.participations.get()
    page = client.get(reverse("admin:participants_participation_change", args=[participation.pk]))
    names = [fieldset.name for fieldset in page.context["adminform"]]
    assert names == [None, "At entry", "Follow-up"]
    follow_up = [
        f
        for fieldset in page.context["adminform"]
        if fieldset.name == "Follow-up"
        for line in fieldset
        for f in line
    ]
    assert [
        f.field["name"] if isinstance(f.field, dict) else f.field.name for f in follow_up
    ] == list(Participation.FOLLOW_UP_COLUMNS)
    listed = client.get(
        reverse("admin:participants_participation_changelist") + "?entry_status=unemployed"
    )
    assert listed.status_code == 200
    assert listed.context["cl"].result_count == 1
    jobseekers = client.get(reverse("admin:participants_jobseeker_changelist") + "?gender=man")
    assert jobseekers.context["cl"].result_count == 0


# GDPR.


@pytest.mark.parametrize("holds", [True, False])
def test_the_access_export_holds_them_only_for_an_allowed_user(
    kept, client, coordinator, anna, holds
):
    client.force_login(grant(coordinator) if holds else coordinator)
    response = client.post(
        reverse("admin:participants_jobseeker_changelist"),
        {"action": "access_request", "_selected_action": [anna.pk]},
    )
    report = json.loads(response.content)
    assert report["jobseeker"]["gender"] == "woman"
    assert ("has_disability" in report["jobseeker"]) is holds
    assert ("has_disability" in report["history"][0]) is holds
    assert report["left_out"] == ([] if holds else ["has_disability", "foreign_background"])
    (participation,) = report["participations"]
    assert participation["entry_status"] == "unemployed"
    assert participation["leaving_situation"] == ""


def test_erasure_blanks_them_now_and_in_the_history(kept, anna):
    anna.has_disability = False
    anna.save()
    jobseeker_erase(jobseeker=anna)
    values = ("gender", "has_disability", "foreign_background")
    assert Jobseeker.objects.values_list(*values).get() == ("not_given", None, None)
    assert set(anna.history.values_list(*values)) == {("not_given", None, None)}
    report = jobseeker_access_report(jobseeker=anna, special_categories=True)
    assert report["jobseeker"]["has_disability"] is None


def test_a_gender_not_given_is_filled_in_by_the_file_one_held_is_not_overwritten(action, vdab):
    JobseekerFactory(pes=vdab, external_ref="V-1")
    JobseekerFactory(pes=vdab, external_ref="V-2", gender="man")
    rows = [
        ["pes", "reference", "gender", "status", "started_on"],
        ["vdab", "V-1", "woman", "started", START],
        ["vdab", "V-2", "woman", "started", START],
    ]
    data = csv_file(rows, delimiter=";", encoding="utf-8")
    result = import_participations(action=action, filename="a.csv", data=data, dry_run=False)
    assert problems(result) == [
        'Row 3, column gender: the VDAB jobseeker V-2 is held with "man", the file says '
        '"woman"; correct the file or tick “update existing records”.'
    ]
    result = import_participations(
        action=action, filename="a.csv", data=data[: data.index(b"vdab;V-2")], dry_run=False
    )
    assert problems(result) == []
    assert sorted(Jobseeker.objects.values_list("external_ref", "gender")) == [
        ("V-1", "woman"),
        ("V-2", "man"),
    ]
