"""Trusted records: the plausibility rules of a participation and of a jobseeker, each at its
edge (accepted) and one step beyond (refused, with a message naming the field), through the
admin's forms, the API and the import; and the database's own constraints."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from crossborder.core.periods import add_months
from crossborder.core.vocabulary import ActionStatus
from participants.imports import import_participations
from participants.models import Jobseeker, Participation
from participants.services import jobseeker_upsert
from tests.conftest import _user_with_role
from tests.factories import (
    ActionEmployerFactory,
    ActionFactory,
    CompanyFactory,
    JobseekerFactory,
    UserFactory,
)
from tests.helpers import if_match
from tests.participants.test_imports import csv_file

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
START, END = datetime.date(2017, 11, 28), datetime.date(2017, 12, 8)
# The first day a participant may start: 30 days of preparation before the action's start.
FIRST_START = START - datetime.timedelta(days=30)


@pytest.fixture
def action(vdab):
    return ActionFactory(reference="jd-2017", start_date=START, end_date=END)


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def api(vdab) -> APIClient:
    client = APIClient()
    client.force_authenticate(_user_with_role("partner", vdab, username="partner-vdab"))
    return client


def _iso(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime.date) else str(value or "")


def via_admin(client, action, jobseeker, **values: Any) -> dict[str, list[str]]:
    """The admin's form for a new participation: its errors by field (none: it was saved)."""
    data = {
        "action": action.pk,
        "jobseeker": jobseeker.pk,
        "status": values.pop("status", "started"),
        **{name: _iso(value) for name, value in values.items()},
    }
    if "hired_by" in values:
        data["hired_by"] = values["hired_by"].pk
    response = client.post(reverse("admin:participants_participation_add"), data)
    if response.status_code == 302:
        return {}
    return dict(response.context["adminform"].form.errors)


def via_api(api, action, jobseeker, **values: Any) -> tuple[int, dict[str, Any]]:
    data = {
        "action": action.pk,
        "jobseeker": jobseeker.pk,
        "status": values.pop("status", "started"),
        **{name: _iso(value) for name, value in values.items()},
    }
    if "hired_by" in values:
        data["hired_by"] = values["hired_by"].slug
    response = api.post("/api/v1/participations/", data, format="json")
    return response.status_code, response.json()


def via_import(action, reference: str = "V-001", **values: Any) -> list[str]:
    """The import of one row for a VDAB jobseeker; its problems (none: it was written)."""
    values.setdefault("status", "started")
    if "hired_by" in values:
        values["hired_by"] = values["hired_by"].slug
    header = ["pes", "reference", *values]
    row = ["vdab", reference, *(_iso(value) for value in values.values())]
    data = csv_file([header, row], delimiter=";", encoding="utf-8")
    result = import_participations(action=action, filename="rows.csv", data=data, dry_run=False)
    return [str(problem) for problem in result.problems]


# The start in the action's period, with the preparation margin before it.

START_EDGES = [(FIRST_START, True), (FIRST_START - DAY, False), (END, True), (END + DAY, False)]


@pytest.mark.parametrize(("started_on", "accepted"), START_EDGES)
def test_the_start_lies_in_the_action_and_its_preparation_in_the_admin(
    admin_client, action, vdab, started_on, accepted
):
    errors = via_admin(admin_client, action, JobseekerFactory(pes=vdab), started_on=started_on)
    assert (errors == {}) is accepted
    if not accepted:
        assert list(errors) == ["started_on"]


@pytest.mark.parametrize(("started_on", "accepted"), START_EDGES)
def test_the_start_lies_in_the_action_and_its_preparation_in_the_api(
    api, action, vdab, started_on, accepted
):
    status, body = via_api(api, action, JobseekerFactory(pes=vdab), started_on=started_on)
    assert status == (201 if accepted else 400)
    if not accepted:
        assert list(body) == ["started_on"]


@pytest.mark.parametrize(("started_on", "accepted"), START_EDGES)
def test_the_start_lies_in_the_action_and_its_preparation_in_an_import(
    action, started_on, accepted
):
    problems = via_import(action, started_on=started_on)
    assert (problems == []) is accepted
    if not accepted:
        assert problems[0].startswith("Row 2, column started_on: May not be")


def test_the_messages_say_the_first_and_last_day(admin_client, action, vdab):
    jobseeker = JobseekerFactory(pes=vdab)
    assert via_admin(admin_client, action, jobseeker, started_on=FIRST_START - DAY) == {
        "started_on": [
            "May not be before 2017-10-29: the action's start, less 30 days of preparation."
        ]
    }
    assert via_admin(admin_client, action, jobseeker, started_on=END + DAY) == {
        "started_on": ["May not be after 2017-12-08, the end of the action."]
    }


@pytest.mark.parametrize(
    ("started_on", "accepted"),
    [
        (datetime.date(2018, 6, 1), True),
        (datetime.date(2018, 5, 31), False),
        (datetime.date(2018, 12, 31), True),
        (datetime.date(2019, 1, 1), False),
    ],
)
def test_an_action_known_by_its_semester_takes_starts_in_it(api, vdab, started_on, accepted):
    planned = ActionFactory(
        start_date=None, year=2018, semester="2018-S2", status=ActionStatus.PLANNED
    )
    status, _body = via_api(api, planned, JobseekerFactory(pes=vdab), started_on=started_on)
    assert status == (201 if accepted else 400)
    assert (via_import(planned, started_on=started_on) == []) is accepted


def test_the_margin_is_a_setting(api, action, vdab, settings):
    settings.PARTICIPATION_START_MARGIN_DAYS = 0
    assert via_api(api, action, JobseekerFactory(pes=vdab), started_on=START - DAY)[0] == 400
    assert via_api(api, action, JobseekerFactory(pes=vdab), started_on=START)[0] == 201


# What came of it: not before the start.

OUTCOMES = [
    ("completed_on", {"status": "completed"}),
    ("placed_on", {}),
    ("hired_on", {}),
    ("certified_on", {}),
]


@pytest.mark.parametrize(("field", "extra"), OUTCOMES)
def test_no_outcome_before_the_start(admin_client, api, action, vdab, field, extra):
    def values(day: datetime.date) -> dict[str, Any]:
        return {"started_on": START, field: day, **extra}

    assert via_admin(admin_client, action, JobseekerFactory(pes=vdab), **values(START)) == {}
    errors = via_admin(admin_client, action, JobseekerFactory(pes=vdab), **values(START - DAY))
    assert errors == {field: ["May not be before the start."]}
    assert via_api(api, action, JobseekerFactory(pes=vdab), **values(START))[0] == 201
    status, body = via_api(api, action, JobseekerFactory(pes=vdab), **values(START - DAY))
    assert (status, body) == (400, {field: ["May not be before the start."]})
    assert via_import(action, "V-1", **values(START)) == []
    assert via_import(action, "V-2", **values(START - DAY)) == [
        f"Row 2, column {field}: May not be before the start."
    ]


# No date before 2000, none more than a year ahead.


def test_no_date_before_2000(admin_client, api, action, vdab):
    first = datetime.date(2000, 1, 1)
    # Without a start, so that only the date's own bound applies.
    assert via_admin(admin_client, action, JobseekerFactory(pes=vdab), placed_on=first) == {}
    assert via_admin(admin_client, action, JobseekerFactory(pes=vdab), placed_on=first - DAY) == {
        "placed_on": ["May not be before 2000-01-01."]
    }
    assert via_api(api, action, JobseekerFactory(pes=vdab), hired_on=first)[0] == 201
    status, body = via_api(api, action, JobseekerFactory(pes=vdab), started_on="0001-01-01")
    assert (status, body) == (400, {"started_on": ["May not be before 2000-01-01."]})
    assert via_import(action, "V-1", certified_on=first) == []
    assert via_import(action, "V-2", certified_on=first - DAY) == [
        "Row 2, column certified_on: May not be before 2000-01-01."
    ]


def test_no_date_more_than_a_year_ahead(admin_client, api, vdab):
    today = timezone.localdate()
    latest = add_months(today, 12)
    ongoing = ActionFactory(start_date=today, status=ActionStatus.ONGOING)
    message = f"May not be more than a year ahead: {latest.isoformat()} at the latest."
    assert via_admin(admin_client, ongoing, JobseekerFactory(pes=vdab), placed_on=latest) == {}
    assert via_admin(admin_client, ongoing, JobseekerFactory(pes=vdab), placed_on=latest + DAY) == {
        "placed_on": [message]
    }
    assert via_api(api, ongoing, JobseekerFactory(pes=vdab), placed_on=latest)[0] == 201
    status, body = via_api(api, ongoing, JobseekerFactory(pes=vdab), placed_on=latest + DAY)
    assert (status, body) == (400, {"placed_on": [message]})
    assert via_import(ongoing, "V-1", placed_on=latest) == []
    assert via_import(ongoing, "V-2", placed_on=latest + DAY) == [
        f"Row 2, column placed_on: {message}"
    ]


@pytest.mark.parametrize(
    ("values", "constraint"),
    [
        ({"started_on": START, "placed_on": START - DAY}, "participation_placed_after_start"),
        ({"started_on": START, "hired_on": START - DAY}, "participation_hired_after_start"),
        (
            {"started_on": START, "certified_on": START - DAY},
            "participation_certified_after_start",
        ),
        ({"started_on": datetime.date(1999, 12, 31)}, "participation_started_from_2000"),
        ({"completed_on": datetime.date(1999, 12, 31)}, "participation_completed_from_2000"),
        ({"placed_on": datetime.date(1999, 12, 31)}, "participation_placed_from_2000"),
        ({"hired_on": datetime.date(1999, 12, 31)}, "participation_hired_from_2000"),
        ({"certified_on": datetime.date(1999, 12, 31)}, "participation_certified_from_2000"),
    ],
)
def test_the_database_refuses_what_one_row_shows(action, vdab, values, constraint):
    status = "completed" if "completed_on" in values else "started"
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        Participation.objects.create(
            action=action, jobseeker=JobseekerFactory(pes=vdab), status=status, **values
        )


# Working age.


def test_a_jobseeker_is_at_least_of_working_age_this_year(admin_client, api, vdab):
    latest = timezone.localdate().year - 15
    data = {
        "pes": vdab.pk,
        "gender": "not_given",
        "participations-TOTAL_FORMS": "0",
        "participations-INITIAL_FORMS": "0",
    }
    url = reverse("admin:participants_jobseeker_add")
    assert (
        admin_client.post(url, {**data, "external_ref": "A", "birth_year": latest}).status_code
        == 302
    )
    response = admin_client.post(url, {**data, "external_ref": "B", "birth_year": latest + 1})
    assert response.context["adminform"].form.errors == {
        "birth_year": [f"May not be after {latest}: younger than 15 this year."]
    }
    push = api.post(
        "/api/v1/jobseekers/push/",
        {"jobseekers": [{"external_ref": "C", "birth_year": latest}]},
        format="json",
    )
    assert push.status_code == 200
    push = api.post(
        "/api/v1/jobseekers/push/",
        {"jobseekers": [{"external_ref": "D", "birth_year": 2031}]},
        format="json",
    )
    assert push.status_code == 400
    assert list(push.json()["jobseekers"]["0"]) == ["birth_year"]
    this_year = ActionFactory(start_date=datetime.date(latest + 15, 1, 15))
    assert via_import(this_year, "E", birth_year=latest) == []
    assert via_import(this_year, "F", birth_year=latest + 1) == [
        f"Row 2, column birth_year: May not be after {latest}: younger than 15 this year."
    ]


@pytest.mark.parametrize(
    ("birth_year", "accepted"), [(2002, True), (2003, False), (1950, True), (1949, False)]
)
def test_a_participant_is_of_working_age_in_the_actions_year(
    admin_client, api, action, vdab, birth_year, accepted
):
    errors = via_admin(admin_client, action, JobseekerFactory(pes=vdab, birth_year=birth_year))
    assert (errors == {}) is accepted
    status, body = via_api(api, action, JobseekerFactory(pes=vdab, birth_year=birth_year))
    assert status == (201 if accepted else 400)
    problems = via_import(action, "V-9", birth_year=birth_year)
    assert (problems == []) is accepted
    if not accepted:
        age = 2017 - birth_year
        message = f"Year of birth {birth_year}: aged {age} in 2017, not 15 to 67."
        assert errors == {"jobseeker": [message]}
        assert body == {"jobseeker": [message]}
        assert problems == [f"Row 2, column birth_year: {message}"]


def test_a_year_of_birth_that_changes_keeps_the_participant_of_working_age(action, vdab, api):
    jobseeker = JobseekerFactory(pes=vdab, birth_year=1990)
    Participation.objects.create(action=action, jobseeker=jobseeker)
    url = f"/api/v1/jobseekers/{jobseeker.pk}/"
    assert (
        api.patch(url, {"birth_year": 2002}, format="json", **if_match(jobseeker)).status_code
        == 200
    )
    response = api.patch(url, {"birth_year": 2003}, format="json", **if_match(jobseeker))
    assert response.status_code == 400
    assert list(response.json()) == ["birth_year"]


# Hired by an employer present at the action.


def test_only_an_employer_present_hires(admin_client, api, action, vdab):
    present = ActionEmployerFactory(action=action, organisation=CompanyFactory(slug="koraton"))
    absent = CompanyFactory(slug="wepa", name="Wepa")
    hire = {"started_on": START, "hired_on": START}
    message = "Not an employer present at the action; add it to the action's employers first."
    jobseekers = [JobseekerFactory(pes=vdab) for _ in range(4)]
    assert (
        via_admin(admin_client, action, jobseekers[0], hired_by=present.organisation, **hire) == {}
    )
    assert via_admin(admin_client, action, jobseekers[1], hired_by=absent, **hire) == {
        "hired_by": [message]
    }
    assert via_api(api, action, jobseekers[2], hired_by=present.organisation, **hire)[0] == 201
    assert via_api(api, action, jobseekers[3], hired_by=absent, **hire) == (
        400,
        {"hired_by": [message]},
    )
    assert via_import(action, "V-1", hired_by=present.organisation, **hire) == []
    assert via_import(action, "V-2", hired_by=absent, **hire) == [
        f"Row 2, column hired_by: {message}"
    ]


def test_an_import_asks_the_actions_rules_once_for_the_file(action, vdab):
    ActionEmployerFactory(action=action, organisation=CompanyFactory(slug="koraton"))
    header = ["pes", "reference", "status", "started_on", "hired_on", "hired_by", "birth_year"]

    def queries(rows: int) -> int:
        lines = [["vdab", f"V-{n}", "started", START, START, "koraton", 1990] for n in range(rows)]
        data = csv_file([header, *lines], delimiter=";", encoding="utf-8")
        with CaptureQueriesContext(connection) as captured:
            result = import_participations(action=action, filename="a.csv", data=data)
        assert result.problems == []
        return len(captured.captured_queries)

    assert queries(15) == queries(30)


# One reference, whatever its case and spaces.


def test_a_reference_is_stored_in_upper_case_without_spaces(vdab):
    first, created = jobseeker_upsert(pes=vdab, external_ref=" vd-001 ")
    again, created_again = jobseeker_upsert(pes=vdab, external_ref="VD-001")
    assert (first.external_ref, created, again.pk, created_again) == (
        "VD-001",
        True,
        first.pk,
        False,
    )
    assert Jobseeker.objects.count() == 1


def test_the_database_refuses_a_reference_not_normalised(vdab):
    with pytest.raises(IntegrityError, match="jobseeker_ref_normalised"), transaction.atomic():
        Jobseeker.objects.create(pes=vdab, external_ref="vd-001")


def test_the_admin_refuses_a_reference_held_in_another_case(admin_client, vdab):
    JobseekerFactory(pes=vdab, external_ref="VD-001")
    data = {
        "pes": vdab.pk,
        "gender": "not_given",
        "participations-TOTAL_FORMS": "0",
        "participations-INITIAL_FORMS": "0",
    }
    url = reverse("admin:participants_jobseeker_add")
    response = admin_client.post(url, {**data, "external_ref": " vd-001"})
    assert response.status_code == 200
    assert "This PES already has a jobseeker with this reference." in response.content.decode()
    assert admin_client.post(url, {**data, "external_ref": "vd-0010"}).status_code == 302
    assert sorted(Jobseeker.objects.values_list("external_ref", flat=True)) == [
        "VD-001",
        "VD-0010",
    ]


def test_a_push_naming_a_jobseeker_twice_is_refused(api):
    items = [{"external_ref": "VD-001"}, {"external_ref": "VD-002"}, {"external_ref": " vd-001"}]
    response = api.post("/api/v1/jobseekers/push/", {"jobseekers": items}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "jobseekers": {
            "2": {
                "external_ref": [
                    "Items 0 and 2 have the same reference VD-001; send each jobseeker once."
                ]
            }
        }
    }
    assert not Jobseeker.objects.exists()
    # The same list without the repeat: created once, found again the next time.
    response = api.post("/api/v1/jobseekers/push/", {"jobseekers": items[:2]}, format="json")
    assert (response.json()["created"], response.json()["updated"]) == (2, 0)
    response = api.post(
        "/api/v1/jobseekers/push/", {"jobseekers": [{"external_ref": "vd-002 "}]}, format="json"
    )
    assert (response.json()["created"], response.json()["updated"]) == (0, 1)


def test_an_import_naming_a_jobseeker_twice_is_refused_and_finds_the_one_held(action, vdab):
    header = ["pes", "reference", "status"]
    data = csv_file(
        [header, ["vdab", "vd-001", "started"], ["vdab", "VD-001 ", "started"]],
        delimiter=";",
        encoding="utf-8",
    )
    result = import_participations(action=action, filename="a.csv", data=data, dry_run=False)
    assert [str(problem) for problem in result.problems] == [
        "Row 3, column reference: VDAB jobseeker VD-001 is also on row 2; keep one row per "
        "jobseeker."
    ]
    held = JobseekerFactory(pes=vdab, external_ref="VD-001")
    assert via_import(action, " vd-001") == []
    assert Participation.objects.get().jobseeker == held
