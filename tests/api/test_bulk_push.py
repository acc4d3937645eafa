"""Bulk pushes (POST /api/v1/participations/push/ and /api/v1/figures/push/): 1 to 5,000 items
by natural keys, all or nothing with every problem by item, idempotent, the models' rules, a
new version and a history entry for each change, and a number of queries that does not grow
with the items."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.throttling import UserRateThrottle

from actions.models import Action, Figure, split_figures_message
from crossborder.core.vocabulary import ActionStatus, ActionType
from participants.models import Jobseeker, Participation
from projects.models import PeriodStatus, ReportingPeriod
from tests.factories import (
    ActionEmployerFactory,
    ActionFactory,
    CohortFactory,
    CompanyFactory,
    FigureFactory,
    JobseekerFactory,
    ParticipationFactory,
    ProjectFactory,
    ProjectPartnerFactory,
)

pytestmark = pytest.mark.django_db

PUSH = "/api/v1/participations/push/"
FIGURES_PUSH = "/api/v1/figures/push/"


@pytest.fixture
def project(vdab):
    project = ProjectFactory(slug="grenzeloos-tewerkstellen")
    ProjectPartnerFactory(project=project, organisation=vdab)
    return project


@pytest.fixture
def actions(project):
    """Ten jobdatings of 2017 (no limit of places), references GT-0 to GT-9."""
    return [
        ActionFactory(
            project=project, reference=f"GT-{n}", start_date=datetime.date(2017, 3, n + 1)
        )
        for n in range(10)
    ]


def make_jobseekers(pes, count: int) -> list[Jobseeker]:
    """Jobseekers VD00000... of a PES, written in one statement (the factory would take a
    query each)."""
    return Jobseeker.objects.bulk_create(
        Jobseeker(pes=pes, external_ref=f"VD{n:05d}", birth_year=1990) for n in range(count)
    )


def items(actions, count: int) -> list[dict]:
    """`count` records by references: jobseeker n in action n % 10, started on its day."""
    return [
        {
            "action": f"GT-{n % 10}",
            "jobseeker": {"pes": "vdab", "ref": f"vd{n:05d}"},
            "status": "completed",
            "started_on": actions[n % 10].start_date.isoformat(),
            "completed_on": actions[n % 10].start_date.isoformat(),
        }
        for n in range(count)
    ]


def post(client, url, body):
    # The body as a client sends it: one JSON document.
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def partner_api(partner_vdab, client_for):
    return client_for(partner_vdab)


@pytest.fixture
def coordinator_api(coordinator, project, client_for):
    return client_for(coordinator)


def versions() -> dict[int, int]:
    return dict(Participation.objects.values_list("pk", "version"))


def test_5000_records_by_references_sent_twice_are_created_once(partner_api, vdab, actions):
    make_jobseekers(vdab, 5000)
    body = {"participations": items(actions, 5000)}
    first = post(partner_api, PUSH, body)
    assert first.status_code == 200
    answer = first.json()
    assert (answer["created"], answer["updated"], answer["unchanged"]) == (5000, 0, 0)
    assert [r["index"] for r in answer["results"]] == list(range(5000))
    assert {r["status"] for r in answer["results"]} == {"created"}
    assert Participation.objects.count() == 5000
    record = Participation.objects.get(pk=answer["results"][4321]["id"])
    assert (record.action.reference, record.jobseeker.external_ref) == ("GT-1", "VD04321")
    assert (record.status, record.pes_id, record.version) == ("completed", vdab.pk, 1)
    before = versions()

    second = post(partner_api, PUSH, body)
    assert second.status_code == 200
    again = second.json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 5000)
    assert {r["status"] for r in again["results"]} == {"unchanged"}
    assert [r["id"] for r in again["results"]] == [r["id"] for r in answer["results"]]
    assert versions() == before
    assert Participation.history.count() == 5000


def test_item_3001_wrong_in_5000_writes_nothing_and_names_index_3000(partner_api, vdab, actions):
    make_jobseekers(vdab, 5000)
    sent = items(actions, 5000)
    sent[3000]["started_on"] = "2016-01-01"
    response = post(partner_api, PUSH, {"participations": sent})
    assert response.status_code == 400
    # Item 3000 is in GT-0, which starts on 2017-03-01.
    assert response.json() == {
        "problems": [
            {
                "index": 3000,
                "field": "started_on",
                "message": actions[0].start_refusal(datetime.date(2016, 1, 1)),
            }
        ]
    }
    assert response.json()["problems"][0]["message"].startswith("May not be before 2017-")
    assert not Participation.objects.exists()


@pytest.mark.parametrize(
    ("wrong", "problem"),
    [
        (
            {"action": "GT-NOPE"},
            {"field": "action", "message": 'No action with reference "GT-NOPE" in your scope.'},
        ),
        (
            {"jobseeker": {"ref": "VD-NOPE"}},
            {
                "field": "jobseeker",
                "message": 'No jobseeker of vdab with reference "VD-NOPE" in your scope.',
            },
        ),
        (
            {"jobseeker": {"pes": "le-forem", "ref": "LF-1"}},
            {
                "field": "jobseeker",
                "message": 'No jobseeker of le-forem with reference "LF-1" in your scope.',
            },
        ),
    ],
    ids=["unknown-action-reference", "unknown-jobseeker-reference", "another-pes-jobseeker"],
)
def test_item_3001_naming_what_is_not_there_changes_none_of_5000_records(
    partner_api, vdab, le_forem, actions, wrong, problem
):
    """The bad inputs of the issue in a bulk of 5,000 that would otherwise change every record
    already held: nothing is written, not even the 4,999 good changes."""
    make_jobseekers(vdab, 5000)
    JobseekerFactory(pes=le_forem, external_ref="LF-1")
    sent = items(actions, 5000)
    assert post(partner_api, PUSH, {"participations": sent}).status_code == 200
    before = versions()
    for item in sent:
        item["placed_on"] = item["completed_on"]
    sent[3000].update(wrong)
    response = post(partner_api, PUSH, {"participations": sent})
    assert response.status_code == 400
    assert response.json() == {"problems": [{"index": 3000, **problem}]}
    assert versions() == before
    assert not Participation.objects.filter(placed_on__isnull=False).exists()
    assert Participation.history.count() == 5000
    assert not Participation.objects.filter(jobseeker__pes=le_forem).exists()


def test_every_problem_is_listed_by_item_and_field(partner_api, vdab, le_forem, actions):
    make_jobseekers(vdab, 4)
    JobseekerFactory(pes=le_forem, external_ref="LF-1")
    sent = items(actions, 4)
    sent[0]["action"] = 999999
    sent[1]["action"] = "NOPE"
    sent[2]["jobseeker"] = {"pes": "le-forem", "ref": "LF-1"}
    sent[3]["status"] = "asleep"
    response = post(partner_api, PUSH, {"participations": sent})
    assert response.status_code == 400
    assert response.json() == {
        "problems": [
            {"index": 0, "field": "action", "message": "No action with id 999999 in your scope."},
            {
                "index": 1,
                "field": "action",
                "message": 'No action with reference "NOPE" in your scope.',
            },
            {
                "index": 2,
                "field": "jobseeker",
                "message": 'No jobseeker of le-forem with reference "LF-1" in your scope.',
            },
            {"index": 3, "field": "status", "message": '"asleep" is not a valid choice.'},
        ]
    }
    assert not Participation.objects.exists()
    # A field no item takes is refused before the items are read.
    sent[0]["colour"] = "blue"
    response = post(partner_api, PUSH, {"participations": sent})
    assert response.json() == {
        "problems": [{"index": 0, "field": "colour", "message": "Unknown field."}]
    }


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            {"participations": []},
            {"index": None, "field": "participations", "message": "This list may not be empty."},
        ),
        (
            {"participations": [{}] * 5001},
            {
                "index": None,
                "field": "participations",
                "message": "Ensure this field has no more than 5000 elements.",
            },
        ),
        (
            {},
            {"index": None, "field": "participations", "message": "This field is required."},
        ),
        (
            {"participations": "all of them"},
            {
                "index": None,
                "field": "participations",
                "message": 'Expected a list of items but got type "str".',
            },
        ),
        (
            {"participations": [], "jobseekers": []},
            {"index": None, "field": "jobseekers", "message": "Unknown field."},
        ),
    ],
)
def test_a_push_that_is_no_list_of_1_to_5000_items_is_a_400(partner_api, body, problem):
    response = post(partner_api, PUSH, body)
    assert response.status_code == 400
    assert response.json() == {"problems": [problem]}


def test_what_the_parser_refuses_is_named_by_item(partner_api, vdab, actions):
    make_jobseekers(vdab, 3)
    raw = json.dumps({"participations": items(actions, 3)}).replace(
        '"status": "completed"', '"status": "completed", "hired_by": 1' + "0" * 30, 1
    )
    response = partner_api.post(PUSH, raw, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "problems": [{"index": 0, "field": "hired_by", "message": "The number is too large."}]
    }
    response = partner_api.post(PUSH, "{not json", content_type="application/json")
    assert response.status_code == 400
    [problem] = response.json()["problems"]
    assert (problem["index"], problem["field"]) == (None, "non_field_errors")
    assert problem["message"].startswith("JSON parse error")


def test_the_same_record_twice_is_refused(partner_api, vdab, actions):
    make_jobseekers(vdab, 2)
    sent = items(actions, 2)
    # Item 1 names item 0's record, by id this time.
    sent[1] = {**sent[0], "action": actions[0].pk}
    response = post(partner_api, PUSH, {"participations": sent})
    assert response.json() == {
        "problems": [
            {
                "index": 1,
                "field": "jobseeker",
                "message": "Items 0 and 1 are the same record; send each record once.",
            }
        ]
    }


def test_a_change_moves_the_version_and_is_in_the_history(partner_api, partner_vdab, vdab, actions):
    make_jobseekers(vdab, 3)
    sent = items(actions, 3)
    post(partner_api, PUSH, {"participations": sent})
    record = Participation.objects.get(jobseeker__external_ref="VD00001")
    sent[1]["placed_on"] = "2017-04-02"
    response = post(partner_api, PUSH, {"participations": sent})
    assert [r["status"] for r in response.json()["results"]] == [
        "unchanged",
        "updated",
        "unchanged",
    ]
    record.refresh_from_db()
    assert (record.placed_on, record.version) == (datetime.date(2017, 4, 2), 2)
    assert [(h.history_type, h.placed_on, h.history_user) for h in record.history.all()] == [
        ("~", datetime.date(2017, 4, 2), partner_vdab),
        ("+", None, partner_vdab),
    ]
    assert sorted(versions().values()) == [1, 1, 2]


def test_a_locked_period_refuses_changes_but_not_the_same_records_again(
    partner_api, vdab, actions, project
):
    make_jobseekers(vdab, 2)
    sent = items(actions, 2)
    post(partner_api, PUSH, {"participations": sent})
    period = ReportingPeriod.objects.create(
        project=project, year=2017, semester="2017-S1", pes=vdab
    )
    ReportingPeriod.objects.filter(pk=period.pk).update(status=PeriodStatus.SUBMITTED)
    period.refresh_from_db()
    assert post(partner_api, PUSH, {"participations": sent}).json()["unchanged"] == 2
    sent[1]["status"] = "dropped_out"
    del sent[1]["completed_on"]
    response = post(partner_api, PUSH, {"participations": sent})
    assert response.json() == {
        "problems": [{"index": 1, "field": "action", "message": period.lock_message()}]
    }
    assert set(Participation.objects.values_list("status", flat=True)) == {"completed"}


def test_a_pes_counted_by_figures_sends_no_records(partner_api, vdab, actions):
    make_jobseekers(vdab, 1)
    FigureFactory(action=actions[0], pes=vdab, metric="starts", value=3)
    response = post(partner_api, PUSH, {"participations": items(actions, 1)})
    assert response.json() == {
        "problems": [{"index": 0, "field": "jobseeker", "message": split_figures_message(vdab)}]
    }


def test_a_cohort_takes_twelve_who_start(partner_api, vdab, project):
    CohortFactory(project=project, reference="COHORT")
    make_jobseekers(vdab, 13)
    sent = [
        {"action": "COHORT", "jobseeker": {"ref": f"VD{n:05d}"}, "status": "started"}
        for n in range(13)
    ]
    response = post(partner_api, PUSH, {"participations": sent})
    assert response.json() == {
        "problems": [
            {
                "index": 12,
                "field": "action",
                "message": "A guidance cohort takes at most 12 jobseekers; this one would have 13.",
            }
        ]
    }
    # One who drops out frees the place of one who starts, in the same push.
    ParticipationFactory(
        action=Action.objects.get(reference="COHORT"),
        jobseeker=JobseekerFactory(pes=vdab, external_ref="OLD"),
    )
    sent[12] = {"action": "COHORT", "jobseeker": {"ref": "OLD"}, "status": "interested"}
    response = post(partner_api, PUSH, {"participations": sent})
    assert response.status_code == 200
    assert [r["status"] for r in response.json()["results"]] == ["created"] * 12 + ["updated"]


def test_the_employer_who_hired_by_slug_was_present(partner_api, vdab, actions):
    make_jobseekers(vdab, 2)
    ActionEmployerFactory(action=actions[0], organisation=CompanyFactory(slug="koraton"))
    CompanyFactory(slug="elsewhere")
    sent = items(actions, 2)
    sent[0].update(hired_on="2017-03-20", hired_by="koraton")
    sent[1].update(action="GT-0", hired_on="2017-03-20", hired_by="elsewhere")
    response = post(partner_api, PUSH, {"participations": sent})
    assert response.json() == {
        "problems": [
            {
                "index": 1,
                "field": "hired_by",
                "message": "Not an employer present at the action; add it to the action's "
                "employers first.",
            }
        ]
    }
    del sent[1]
    assert post(partner_api, PUSH, {"participations": sent}).status_code == 200
    assert Participation.objects.get().hired_by.slug == "koraton"


def test_the_throttle_counts_a_push_of_500_records_as_one_request(
    partner_api, vdab, actions, monkeypatch
):
    make_jobseekers(vdab, 500)
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "2/minute"})
    cache.clear()
    body = {"participations": items(actions, 500)}
    assert post(partner_api, PUSH, body).json()["created"] == 500
    assert post(partner_api, PUSH, body).json()["unchanged"] == 500
    refused = post(partner_api, PUSH, body)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert Participation.objects.count() == 500


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("stranger", 403),
        ("manager", 403),
        ("partner_vdab", 200),
        ("coordinator", 200),
    ],
)
def test_who_pushes_participation(role, expected, request, client_for, vdab, actions):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    make_jobseekers(vdab, 2)
    response = post(client_for(user), PUSH, {"participations": items(actions, 2)})
    assert response.status_code == expected
    assert Participation.objects.count() == (2 if expected == 200 else 0)


def test_a_push_runs_the_same_queries_for_10_and_30_records(
    partner_vdab, client_for, vdab, actions
):
    # At most 30: SQLite takes at most 999 values a statement, so that Django writes larger
    # bulks in several (PostgreSQL in one); a record's history row has some 30 columns.
    make_jobseekers(vdab, 30)
    counts = []
    for count in (10, 30):
        # A fresh user each time: its roles are read once per request.
        client = client_for(type(partner_vdab).objects.get(pk=partner_vdab.pk))
        with CaptureQueriesContext(connection) as created:
            assert post(client, PUSH, {"participations": items(actions, count)}).status_code == 200
        client = client_for(type(partner_vdab).objects.get(pk=partner_vdab.pk))
        with CaptureQueriesContext(connection) as unchanged:
            post(client, PUSH, {"participations": items(actions, count)})
        Participation.objects.all().delete()
        Participation.history.all().delete()
        counts.append((len(created), len(unchanged)))
    # Roles and membership, the keys (actions, jobseekers), the records held, the periods and
    # the figures of the actions, the writes (a statement each for the records and their
    # history): the same for 10 and 30 records.
    assert counts[0] == counts[1]


# Figures


def figure_items(actions) -> list[dict]:
    """Starts and completions of each PES and hires (unsplit) for every action: 7 each."""
    found = []
    for action in actions:
        for pes in ("vdab", "le-forem", "pole-emploi"):
            for metric in ("starts", "completions"):
                found.append({"action": action.reference, "metric": metric, "pes": pes, "value": 4})
        found.append({"action": action.reference, "metric": "hires", "pes": None, "value": 2})
    return found


@pytest.fixture
def many_actions(project):
    """715 actions (5,005 figures of figure_items), written in one statement."""
    start = datetime.date(2017, 1, 2)
    return Action.objects.bulk_create(
        Action(
            project=project,
            reference=f"GT-F{n}",
            action_type=ActionType.JOBDATING,
            status=ActionStatus.COMPLETED,
            title=f"Jobdating {n}",
            start_date=start,
            year=2017,
            semester="2017-S1",
            sort_date=start,
        )
        for n in range(715)
    )


def figure_versions() -> dict[int, int]:
    return dict(Figure.objects.values_list("pk", "version"))


def test_5000_figures_sent_twice_are_created_once(
    coordinator_api, le_forem, pole_emploi, many_actions
):
    sent = figure_items(many_actions)[:5000]
    first = post(coordinator_api, FIGURES_PUSH, {"figures": sent})
    assert first.status_code == 200
    assert (first.json()["created"], first.json()["unchanged"]) == (5000, 0)
    assert Figure.objects.count() == 5000
    before = figure_versions()
    second = post(coordinator_api, FIGURES_PUSH, {"figures": sent})
    assert (second.json()["created"], second.json()["unchanged"]) == (0, 5000)
    assert figure_versions() == before


def test_figure_3001_wrong_in_5000_writes_nothing(
    coordinator_api, le_forem, pole_emploi, many_actions
):
    sent = figure_items(many_actions)[:5000]
    sent[3000]["value"] = -1
    response = post(coordinator_api, FIGURES_PUSH, {"figures": sent})
    assert response.json() == {
        "problems": [
            {
                "index": 3000,
                "field": "value",
                "message": "Ensure this value is greater than or equal to 0.",
            }
        ]
    }
    assert not Figure.objects.exists()


def test_figure_3001_of_an_unknown_action_changes_none_of_5000_figures(
    coordinator_api, le_forem, pole_emploi, many_actions
):
    sent = figure_items(many_actions)[:5000]
    assert post(coordinator_api, FIGURES_PUSH, {"figures": sent}).status_code == 200
    before = figure_versions()
    for item in sent:
        item["value"] = 5
    sent[3000]["action"] = "GT-NOPE"
    response = post(coordinator_api, FIGURES_PUSH, {"figures": sent})
    assert response.status_code == 400
    assert response.json() == {
        "problems": [
            {
                "index": 3000,
                "field": "action",
                "message": 'No action you may change has the reference "GT-NOPE".',
            }
        ]
    }
    assert figure_versions() == before
    assert set(Figure.objects.values_list("value", flat=True)) == {2, 4}


def test_figures_keep_the_models_rules(coordinator_api, vdab, le_forem, project, actions):
    cohort = CohortFactory(project=project, reference="COHORT")
    ParticipationFactory(action=actions[1], jobseeker=JobseekerFactory(pes=vdab))
    held = FigureFactory(action=actions[2], pes=vdab, metric="starts", value=5)
    sent = [
        {"action": "GT-0", "metric": "vacancies", "pes": "vdab", "value": 3},
        {"action": "GT-1", "metric": "starts", "pes": vdab.pk, "value": 3},
        {"action": "COHORT", "metric": "starts", "pes": "le-forem", "value": 8},
        {"action": "COHORT", "metric": "starts", "pes": "vdab", "value": 5},
        {"action": "GT-2", "metric": "starts", "pes": "vdab", "value": 6},
        {"action": "GT-2", "metric": "starts", "pes": "vdab", "value": 7},
    ]
    response = post(coordinator_api, FIGURES_PUSH, {"figures": sent})
    assert response.json() == {
        "problems": [
            {
                "index": 5,
                "field": "pes",
                "message": "Items 4 and 5 are the same record; send each record once.",
            }
        ]
    }
    response = post(coordinator_api, FIGURES_PUSH, {"figures": sent[:5]})
    assert response.json() == {
        "problems": [
            {
                "index": 0,
                "field": "pes",
                "message": "Employers, agencies and vacancies belong to no PES: leave it empty.",
            },
            {"index": 1, "field": "pes", "message": actions[1].figures_refusal(vdab, "starts")},
            {
                "index": 3,
                "field": "value",
                "message": "A guidance cohort takes at most 12 jobseekers; with this figure it "
                "would have 13.",
            },
        ]
    }
    assert Figure.objects.get() == held
    response = post(coordinator_api, FIGURES_PUSH, {"figures": [sent[2], sent[4]]})
    assert [r["status"] for r in response.json()["results"]] == ["created", "updated"]
    held.refresh_from_db()
    assert (held.value, held.version) == (6, 2)
    assert cohort.figures.get().value == 8


def test_a_coordinator_pushes_figures_of_its_projects_only(coordinator_api, vdab, actions):
    ActionFactory(project=ProjectFactory(slug="someone-elses"), reference="THEIRS")
    sent = [
        {"action": "GT-0", "metric": "starts", "pes": "vdab", "value": 3},
        {"action": "THEIRS", "metric": "starts", "pes": "vdab", "value": 3},
    ]
    response = post(coordinator_api, FIGURES_PUSH, {"figures": sent})
    assert response.json() == {
        "problems": [
            {
                "index": 1,
                "field": "action",
                "message": 'No action you may change has the reference "THEIRS".',
            }
        ]
    }
    assert not Figure.objects.exists()


def test_a_figures_push_renews_the_cached_action_pages(coordinator_api, vdab, actions):
    url = f"/api/v1/actions/{actions[0].pk}/"
    assert coordinator_api.get(url).json()["figures"] == []
    sent = [{"action": "GT-0", "metric": "starts", "pes": "vdab", "value": 3}]
    post(coordinator_api, FIGURES_PUSH, {"figures": sent})
    assert [f["value"] for f in coordinator_api.get(url).json()["figures"]] == [3]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", 401),
        ("stranger", 403),
        ("manager", 403),
        ("partner_vdab", 403),
        ("coordinator", 200),
        ("superuser", 200),
    ],
)
def test_who_pushes_figures(role, expected, request, client_for, vdab, actions):
    user = None if role == "anonymous" else request.getfixturevalue(role)
    sent = [{"action": "GT-0", "metric": "starts", "pes": "vdab", "value": 3}]
    response = post(client_for(user), FIGURES_PUSH, {"figures": sent})
    assert response.status_code == expected
    assert Figure.objects.count() == (1 if expected == 200 else 0)


def test_a_figures_push_runs_the_same_queries_for_7_and_35_figures(
    coordinator, client_for, vdab, le_forem, pole_emploi, actions
):
    # At most 35: SQLite's 999 values a statement, as above.
    counts = []
    for count in (1, 5):
        client = client_for(type(coordinator).objects.get(pk=coordinator.pk))
        with CaptureQueriesContext(connection) as queries:
            sent = figure_items(actions[:count])
            assert post(client, FIGURES_PUSH, {"figures": sent}).status_code == 200
        counts.append(len(queries))
        Figure.objects.all().delete()
    # Of 1 action or 5 (all in one semester): each reporting period once, the actions'
    # records in one query.
    assert counts[0] == counts[1]
