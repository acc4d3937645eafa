"""DELETE of a figure or a participation record entered by mistake: scoped as their writes,
through the services, with the reason in the history; the reports count without it at once."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from actions.models import Figure
from crossborder.core.dataversion import data_version
from participants.models import Participation
from tests.factories import (
    ActionFactory,
    FigureFactory,
    JobseekerFactory,
    ParticipationFactory,
    ProjectFactory,
    ProjectPartnerFactory,
)
from tests.helpers import if_match

pytestmark = pytest.mark.django_db

OUTCOMES = "/api/v1/reports/outcomes/?group_by=pes&year=2017"


@pytest.fixture
def action(vdab):
    """A jobdating of a project VDAB takes part in."""
    project = ProjectFactory(slug="grenzeloos-tewerkstellen")
    ProjectPartnerFactory(project=project, organisation=vdab)
    return ActionFactory(project=project, title="Jobdating Veurne")


@pytest.fixture
def theirs(le_forem):
    """A jobdating of a project without VDAB."""
    return ActionFactory(project=ProjectFactory(slug="actemploi", lead_partner=le_forem))


def _starts(api, pes: str) -> int | None:
    rows = api.get(OUTCOMES).json()["results"]
    return next((row["starts"] for row in rows if row["pes"] == pes), None)


def _deletion(model, pk):
    return model.history.filter(id=pk, history_type="-").get()


# Figures.


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("anonymous", 401),
        ("stranger", 403),
        ("manager", 403),
        ("partner_vdab", 403),
        ("coordinator", 204),
        ("superuser", 204),
    ],
)
def test_who_deletes_a_figure(request, client_for, action, vdab, user, expected):
    figure = FigureFactory(action=action, pes=vdab, value=7)
    api = client_for(None if user == "anonymous" else request.getfixturevalue(user))

    response = api.delete(f"/api/v1/figures/{figure.pk}/", **if_match(figure))

    assert response.status_code == expected
    assert Figure.objects.filter(pk=figure.pk).exists() is (expected != 204)


def test_a_coordinator_cannot_delete_another_projects_figure(
    client_for, coordinator, theirs, le_forem
):
    figure = FigureFactory(action=theirs, pes=le_forem)
    response = client_for(coordinator).delete(f"/api/v1/figures/{figure.pk}/", **if_match(figure))
    assert response.status_code == 403
    assert response.json() == {"detail": "You may not change actions of this project."}
    assert Figure.objects.filter(pk=figure.pk).exists()


def test_a_deleted_figure_leaves_the_reports_and_the_cached_action_page(
    client_for, coordinator, manager, action, vdab
):
    figure = FigureFactory(action=action, pes=vdab, metric="starts", value=7)
    reader = client_for(manager)
    page = f"/api/v1/actions/{action.pk}/"
    assert [f["value"] for f in reader.get(page).json()["figures"]] == [7]
    assert _starts(reader, "vdab") == 7
    version = data_version()

    response = client_for(coordinator).delete(
        f"/api/v1/figures/{figure.pk}/?reason=Counted+in+the+cohort+already", **if_match(figure)
    )

    assert response.status_code == 204
    assert response.content == b""
    assert data_version() != version
    assert reader.get(page).json()["figures"] == []
    assert _starts(reader, "vdab") is None
    deletion = _deletion(Figure, figure.pk)
    assert (deletion.history_change_reason, deletion.history_user) == (
        "Counted in the cohort already",
        coordinator,
    )


def test_a_wrong_figure_deleted_lets_the_pes_send_its_records(
    client_for, coordinator, partner_vdab, action, vdab
):
    """For one action, PES and metric the count comes from a figure or from records: a figure
    entered by mistake blocked VDAB's records until it could be deleted."""
    figure = FigureFactory(action=action, pes=vdab, metric="starts", value=3)
    jobseeker = JobseekerFactory(pes=vdab)
    record = {"action": action.pk, "jobseeker": jobseeker.pk, "status": "started"}
    partner = client_for(partner_vdab)
    assert partner.post("/api/v1/participations/", record, format="json").status_code == 400

    client_for(coordinator).delete(f"/api/v1/figures/{figure.pk}/", **if_match(figure))

    assert partner.post("/api/v1/participations/", record, format="json").status_code == 201


def test_a_reason_longer_than_the_history_keeps_is_a_400(client_for, coordinator, action, vdab):
    figure = FigureFactory(action=action, pes=vdab)
    response = client_for(coordinator).delete(
        f"/api/v1/figures/{figure.pk}/?reason={'x' * 101}", **if_match(figure)
    )
    assert response.status_code == 400
    assert response.json() == {
        "reason": ["Ensure this value has at most 100 characters (it has 101)."]
    }
    assert Figure.objects.filter(pk=figure.pk).exists()


# Participation records.


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ("anonymous", 401),
        ("stranger", 403),
        ("manager", 403),
        ("partner_le_forem", 404),
        ("partner_vdab", 204),
        ("coordinator", 204),
        ("superuser", 204),
    ],
)
def test_who_deletes_a_participation_record(request, client_for, action, vdab, user, expected):
    participation = ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab))
    api = client_for(None if user == "anonymous" else request.getfixturevalue(user))

    response = api.delete(f"/api/v1/participations/{participation.pk}/", **if_match(participation))

    assert response.status_code == expected
    assert Participation.objects.filter(pk=participation.pk).exists() is (expected != 204)


def test_a_deleted_record_leaves_the_reports(client_for, partner_vdab, manager, action, vdab):
    records = [
        ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab)) for _ in range(2)
    ]
    reader = client_for(manager)
    assert _starts(reader, "vdab") == 2

    response = client_for(partner_vdab).delete(
        f"/api/v1/participations/{records[0].pk}/?reason=Wrong+action", **if_match(records[0])
    )

    assert response.status_code == 204
    assert _starts(reader, "vdab") == 1
    deletion = _deletion(Participation, records[0].pk)
    assert (deletion.history_change_reason, deletion.history_user) == ("Wrong action", partner_vdab)


def test_deleting_twice_is_a_204_then_a_404(client_for, partner_vdab, action, vdab):
    participation = ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab))
    api = client_for(partner_vdab)
    url = f"/api/v1/participations/{participation.pk}/"
    header = if_match(participation)
    assert [api.delete(url, **header).status_code, api.delete(url, **header).status_code] == [
        204,
        404,
    ]


def test_a_record_gone_between_reading_and_deleting_is_a_404(
    client_for, coordinator, action, vdab, monkeypatch
):
    """What the second of two deletions at once meets: the record it found is gone when it
    locks it."""
    from actions import api as actions_api
    from actions.services import figure_delete

    figure = FigureFactory(action=action, pes=vdab)

    def concurrent(**kwargs):
        Figure.objects.filter(pk=figure.pk).delete()
        figure_delete(**kwargs)

    monkeypatch.setattr(actions_api, "figure_delete", concurrent)
    response = client_for(coordinator).delete(f"/api/v1/figures/{figure.pk}/", **if_match(figure))
    assert response.status_code == 404


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks: PostgreSQL (SQLite has none)"
)
@pytest.mark.parametrize("resource", ["figures", "participations"])
def test_two_deletions_at_once_give_one_204_and_one_404(
    client_for, coordinator, action, vdab, monkeypatch, resource
):
    from actions import api as actions_api
    from participants import api as participants_api

    if resource == "figures":
        pk = FigureFactory(action=action, pes=vdab).pk
        module, name = actions_api, "figure_delete"
    else:
        pk = ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab)).pk
        module, name = participants_api, "participation_delete"
    service = getattr(module, name)
    both_read = threading.Barrier(2, timeout=10)

    def after_both_read(**kwargs):
        both_read.wait()
        service(**kwargs)

    monkeypatch.setattr(module, name, after_both_read)
    answers: list[int] = []

    def delete() -> None:
        try:
            response = client_for(coordinator).delete(
                f"/api/v1/{resource}/{pk}/", HTTP_IF_MATCH='"1"'
            )
            answers.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=delete) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(answers) == [204, 404]
