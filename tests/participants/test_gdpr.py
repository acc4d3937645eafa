"""GDPR: erasure keeps every figure, leaves nothing personal in the audit trail; storage limit;
access request."""

from __future__ import annotations

import datetime
import json

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from participants.gdpr import (
    ERASED_VALUES,
    jobseeker_access_report,
    jobseeker_erase,
    jobseekers_due_for_erasure,
)
from participants.models import EducationLevel, Gender, Jobseeker, Participation
from participants.services import jobseeker_upsert, participation_upsert
from reports.selectors import outcomes
from tests.factories import (
    ActionFactory,
    CohortFactory,
    JobseekerFactory,
    ParticipationFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture
def helene(le_forem):
    jobseeker, _ = jobseeker_upsert(
        pes=le_forem,
        external_ref="LF-0042",
        given_name="Hélène",
        family_name="Dupré",
        birth_year=1985,
        gender=Gender.WOMAN,
        education_level=EducationLevel.ISCED_0_2,
        is_refugee=True,
        has_disability=True,
        foreign_background=False,
    )
    return jobseeker


def test_erasure_blanks_the_person_and_keeps_the_row_pes_and_participations(helene):
    action = CohortFactory()
    participation_upsert(
        action=action,
        jobseeker=helene,
        status="completed",
        started_on=datetime.date(2017, 4, 27),
        completed_on=datetime.date(2017, 7, 27),
        placed_on=datetime.date(2017, 9, 1),
    )

    jobseeker_erase(jobseeker=helene)

    erased = Jobseeker.objects.get(pk=helene.pk)
    assert [
        erased.external_ref,
        erased.pseudonym,
        erased.given_name,
        erased.family_name,
        erased.birth_year,
        erased.education_level,
        erased.is_refugee,
    ] == ["", "", "", "", None, "", None]
    assert erased.erased_at is not None
    assert erased.pes.slug == "le-forem"
    assert str(erased) == f"erased jobseeker #{helene.pk}"
    participation = Participation.objects.get(jobseeker=erased)
    assert (participation.status, participation.placed_on) == (
        "completed",
        datetime.date(2017, 9, 1),
    )


def test_erasure_keeps_every_report_figure(demo):
    from actions.models import Action

    cohort = Action.objects.get(reference="gt-2018-cohort-1")
    # Replace VDAB's 3 starts by 3 individual records, one of whom found work.
    cohort.figures.filter(pes__slug="vdab").delete()
    vdab = cohort.project.partners.get(slug="vdab")
    for n in range(3):
        jobseeker, _ = jobseeker_upsert(pes=vdab, external_ref=f"V-{n}", given_name=f"Zoë {n}")
        participation_upsert(
            action=cohort,
            jobseeker=jobseeker,
            status="started",
            placed_on=datetime.date(2018, 7, 1) if n == 0 else None,
        )
    before = outcomes(group_by=["project", "semester", "pes"]).as_dict()

    for jobseeker in Jobseeker.objects.all():
        jobseeker_erase(jobseeker=jobseeker)

    assert outcomes(group_by=["project", "semester", "pes"]).as_dict() == before
    vdab_2018 = [
        row for row in before["results"] if row["pes"] == "vdab" and row["semester"] == "2018-S1"
    ]
    assert [(row["starts"], row["placements"]) for row in vdab_2018] == [(3, 1)]


def test_erasure_purges_the_audit_trail_and_the_admin_log(helene, coordinator):
    helene.family_name = "Dupré-Lambert"
    helene.save()
    log = LogEntry.objects.log_actions(
        user_id=coordinator.pk,
        queryset=[helene],
        action_flag=CHANGE,
        change_message="Changed family name.",
        single_object=True,
    )
    assert "Hélène" in log.object_repr

    jobseeker_erase(jobseeker=helene)

    versions = list(helene.history.order_by("history_date", "history_id"))
    assert len(versions) == 3  # created, renamed, erased: the trail stays, the data goes
    for version in versions:
        assert (version.given_name, version.family_name, version.external_ref) == ("", "", "")
        assert (version.birth_year, version.is_refugee, version.pseudonym) == (None, None, "")
    assert versions[-1].history_change_reason == "erased (GDPR)"
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Jobseeker), object_id=str(helene.pk)
    )
    assert (entry.object_repr, entry.change_message) == (f"erased jobseeker #{helene.pk}", "")


def _participant(pes, project_end: datetime.date | None):
    project = ProjectFactory(ends_on=project_end)
    return ParticipationFactory(
        action=ActionFactory(project=project), jobseeker=JobseekerFactory(pes=pes)
    ).jobseeker


def test_only_jobseekers_whose_every_project_ended_long_ago_are_due(vdab):
    old = _participant(vdab, datetime.date(2020, 12, 31))
    _recent = _participant(vdab, datetime.date(2022, 6, 30))
    _running = _participant(vdab, None)
    both = _participant(vdab, datetime.date(2019, 12, 31))
    ParticipationFactory(jobseeker=both, action=ActionFactory(project=ProjectFactory(ends_on=None)))
    nothing_yet = JobseekerFactory(pes=vdab)
    long_forgotten = JobseekerFactory(pes=vdab)
    Jobseeker.objects.filter(pk=long_forgotten.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=6 * 366)
    )

    due = list(jobseekers_due_for_erasure(years=5, today=TODAY))

    assert due == [old, long_forgotten]
    assert nothing_yet not in due


def test_anonymise_command_dry_run_then_erase_then_nothing_left(vdab, settings, capsys):
    settings.RETENTION_YEARS = 5
    old = _participant(vdab, datetime.date(2018, 12, 31))
    recent = _participant(vdab, timezone.localdate() - datetime.timedelta(days=365))

    call_command("anonymise_jobseekers", "--dry-run")
    assert capsys.readouterr().out.strip() == (
        "Dry run: 1 jobseeker(s) whose projects ended more than 5 year(s) ago would be erased, "
        "and 0 read(s) of the read audit older than 730 day(s) deleted."
    )
    assert Jobseeker.objects.get(pk=old.pk).erased_at is None

    call_command("anonymise_jobseekers")
    assert capsys.readouterr().out.strip().splitlines()[0] == (
        "Erased 1 jobseeker(s) whose projects ended more than 5 year(s) ago."
    )
    assert Jobseeker.objects.get(pk=old.pk).family_name == ""
    assert Jobseeker.objects.get(pk=recent.pk).family_name == recent.family_name

    call_command("anonymise_jobseekers", "--years", "0")
    assert capsys.readouterr().out.strip().splitlines()[0] == (
        "Erased 1 jobseeker(s) whose projects ended more than 0 year(s) ago."
    )
    call_command("anonymise_jobseekers", "--years", "0")
    assert capsys.readouterr().out.strip().splitlines() == [
        "Erased 0 jobseeker(s) whose projects ended more than 0 year(s) ago.",
        "Deleted 0 read(s) of the read audit older than 730 day(s).",
    ]


def test_access_request_holds_the_record_participations_and_history(helene, coordinator):
    from simple_history.utils import update_change_reason

    action = ActionFactory(reference="gt-2017-jobdating-veurne")
    participation_upsert(action=action, jobseeker=helene, status="started")
    helene.given_name = "Hélène Marie"
    helene._history_user = coordinator
    helene.save()
    update_change_reason(helene, "name corrected")

    report = jobseeker_access_report(jobseeker=helene)

    assert report["jobseeker"]["given_name"] == "Hélène Marie"
    assert report["jobseeker"]["reference"] == "LF-0042"
    assert report["jobseeker"]["pes"] == "Le Forem"
    assert [(p["action_reference"], p["status"]) for p in report["participations"]] == [
        ("gt-2017-jobdating-veurne", "started")
    ]
    assert [(h["change"], h["by"], h["given_name"], h["reason"]) for h in report["history"]] == [
        ("Created", "", "Hélène", ""),
        ("Changed", "coordinator-vdab", "Hélène Marie", "name corrected"),
    ]
    assert [h["status"] for h in report["participation_history"]] == ["started"]


def test_access_request_holds_every_personal_and_outcome_field_as_declared(helene):
    action = CohortFactory()
    participation_upsert(
        action=action,
        jobseeker=helene,
        status="completed",
        started_on=datetime.date(2017, 4, 27),
        completed_on=datetime.date(2017, 7, 27),
        placed_on=datetime.date(2017, 9, 1),
    )
    report = jobseeker_access_report(jobseeker=helene, special_categories=True)
    renamed = {
        "external_ref": "reference",
        "pseudonym": "pseudonymous_key",
        "is_refugee": "refugee",
    }

    personal = [renamed.get(name, name) for name in Jobseeker.PERSONAL_FIELDS]
    assert [name for name in personal if name not in report["jobseeker"]] == []
    assert [name for name in personal if name not in report["history"][0]] == []
    assert report["jobseeker"]["pseudonymous_key"] == helene.pseudonym
    assert report["jobseeker"]["education_level"] == EducationLevel.ISCED_0_2.label
    assert report["history"][0]["education_level"] == EducationLevel.ISCED_0_2.value
    (participation,) = report["participations"]
    assert {name: participation[name] for name in Participation.WRITTEN_FIELDS} == {
        "status": "completed",
        "started_on": "2017-04-27",
        "completed_on": "2017-07-27",
        "placed_on": "2017-09-01",
        "hired_on": None,
        "hired_by": "",
        "certified_on": None,
        "certificate": "",
        "entry_status": "",
        "unemployment_duration": "",
        "leaving_situation": "",
        "leaving_checked_on": None,
        "leaving_source": "",
        "six_month_situation": "",
        "six_month_checked_on": None,
        "six_month_source": "",
    }
    assert report["left_out"] == []


# In the admin.


@pytest.fixture
def coordinator_le_forem(le_forem):
    from tests.conftest import _user_with_role

    return _user_with_role("coordinator", le_forem, username="coordinator-le-forem", is_staff=True)


def test_admin_erases_after_confirmation(client, coordinator_le_forem, helene):
    client.force_login(coordinator_le_forem)
    url = reverse("admin:participants_jobseeker_changelist")
    form = {"action": "erase", "_selected_action": [helene.pk]}

    asked = client.post(url, form)

    assert asked.status_code == 200
    assert "This cannot be undone." in asked.content.decode()
    assert Jobseeker.objects.get(pk=helene.pk).family_name == "Dupré"

    done = client.post(url, {**form, "confirm": "1"}, follow=True)

    assert (
        "Erased the personal data of 1 jobseeker; the participation records and every figure stay."
        in done.content.decode()
    )
    erased = Jobseeker.objects.get(pk=helene.pk)
    assert erased.family_name == ""
    assert erased.history.first().history_user == coordinator_le_forem


def test_admin_access_request_downloads_json(client, coordinator_le_forem, helene):
    client.force_login(coordinator_le_forem)

    response = client.post(
        reverse("admin:participants_jobseeker_changelist"),
        {"action": "access_request", "_selected_action": [helene.pk]},
    )

    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="access-request-jobseeker-{helene.pk}.json"'
    )
    assert json.loads(response.content)["jobseeker"]["family_name"] == "Dupré"


def test_another_pes_cannot_erase_or_export_the_person(client, coordinator, helene):
    client.force_login(coordinator)  # VDAB's coordinator; Hélène is Le Forem's

    for action in ("erase", "access_request"):
        response = client.post(
            reverse("admin:participants_jobseeker_changelist"),
            {"action": action, "_selected_action": [helene.pk], "confirm": "1"},
            follow=True,
        )
        assert response.status_code == 200
        assert response.get("Content-Disposition") is None

    assert Jobseeker.objects.get(pk=helene.pk).family_name == "Dupré"


def test_every_field_of_a_jobseeker_is_personal_or_kept_by_erasure():
    """A field added to the jobseeker must say whether erasure blanks it: in PERSONAL_FIELDS
    (blanked, and read by the services, API, imports, exports and admin) or KEPT_FIELDS."""
    fields = {field.name for field in Jobseeker._meta.concrete_fields}
    personal, kept = set(Jobseeker.PERSONAL_FIELDS), set(Jobseeker.KEPT_FIELDS)
    assert personal & kept == set()
    assert fields == personal | kept


def test_erasure_blanks_every_personal_field_now_and_in_the_audit_trail(helene):
    helene.refresh_from_db()
    assert all(getattr(helene, name) not in ("", None) for name in Jobseeker.PERSONAL_FIELDS)
    # Blank, but a gender, whose blank is "not given".
    blanks = {
        name: None if name in ("birth_year", *Jobseeker.SENSITIVE_FIELDS, "is_refugee") else ""
        for name in Jobseeker.PERSONAL_FIELDS
    }
    blanks["gender"] = Gender.NOT_GIVEN
    assert blanks == ERASED_VALUES
    jobseeker_erase(jobseeker=helene)
    erased = Jobseeker.objects.get(pk=helene.pk)
    for name in Jobseeker.PERSONAL_FIELDS:
        assert getattr(erased, name) == blanks[name], name
    assert erased.history.count() == 2
    for record in erased.history.all():
        for name in Jobseeker.PERSONAL_FIELDS:
            assert getattr(record, name) == blanks[name], name
