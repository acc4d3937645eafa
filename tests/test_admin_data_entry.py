"""The coordinator's daily work in the admin: totals, admin actions, imports, exports, history."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from actions.models import Action, Figure
from crossborder.core.metrics import Metric
from crossborder.core.vocabulary import ActionStatus
from participants.models import Jobseeker, Participation
from tests.factories import (
    ActionFactory,
    CohortFactory,
    FigureFactory,
    JobseekerFactory,
    OfficeFactory,
    ParticipationFactory,
    ProjectFactory,
    ProjectPartnerFactory,
)
from tests.participants.test_imports import GOOD_ROWS, HEADER, csv_file, xlsx_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def project(vdab):
    project = ProjectFactory(slug="grenzeloos-tewerkstellen")
    ProjectPartnerFactory(project=project, organisation=vdab)
    return project


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


# Changelist: totals without N+1.


def _make_actions(project, vdab, count: int) -> None:
    for n in range(count):
        action = ActionFactory(project=project, reference=f"a-{count}-{n}")
        FigureFactory(action=action, pes=vdab, metric=Metric.STARTS, value=4)
        FigureFactory(action=action, pes=None, metric=Metric.HIRES, value=1)
        ParticipationFactory(
            action=action,
            jobseeker=JobseekerFactory(pes=vdab, external_ref=f"X{count}-{n}"),
            status="interested",
        )


def test_changelist_shows_starts_and_figures_per_action(superuser_client, project, vdab, le_forem):
    action = ActionFactory(project=project, title="Jobdating Veurne")
    FigureFactory(action=action, pes=le_forem, metric=Metric.STARTS, value=35)
    FigureFactory(action=action, pes=None, metric=Metric.HIRES, value=7)
    for _ in range(2):
        ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab), status="started")
    ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab), status="interested")

    response = superuser_client.get(reverse("admin:actions_action_changelist"))

    row = response.context["cl"].result_list[0]
    assert (row.starts_total, row.figure_count) == (37, 2)
    assert '<td class="field-starts_total">37</td>' in response.content.decode()


@pytest.mark.parametrize("client_fixture", ["superuser_client", "coordinator_client"])
def test_changelist_query_count_does_not_grow_with_rows(
    request, client_fixture, project, vdab, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = request.getfixturevalue(client_fixture)
    url = reverse("admin:actions_action_changelist")
    counts = []
    for size in (3, 30):
        _make_actions(project, vdab, size)
        client.get(url)  # warm the session and content types
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_num_queries(counts[1]):
        client.get(url)


@pytest.mark.parametrize(
    "model", ["participants_participation", "participants_jobseeker", "actions_figure"]
)
def test_other_changelists_do_not_grow_with_rows(superuser_client, project, vdab, model):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse(f"admin:{model}_changelist")
    counts = []
    for size in (3, 30):
        _make_actions(project, vdab, size)
        superuser_client.get(url)
        with CaptureQueriesContext(connection) as queries:
            superuser_client.get(url)
        counts.append(len(queries))
    assert counts[0] == counts[1]


# Admin actions.


def test_mark_completed(coordinator_client, project, vdab):
    planned = ActionFactory(project=project, status=ActionStatus.PLANNED, title="Planned one")
    cancelled = ActionFactory(
        project=project,
        status=ActionStatus.CANCELLED,
        cancellation_reason="no candidates",
        title="Cancelled one",
    )
    elsewhere = ActionFactory(status=ActionStatus.PLANNED, title="Not ours")

    response = coordinator_client.post(
        reverse("admin:actions_action_changelist"),
        {"action": "mark_completed", "_selected_action": [planned.pk, cancelled.pk, elsewhere.pk]},
        follow=True,
    )

    page = response.content.decode()
    assert "1 action marked completed." in page
    assert (
        "Not changed: Cancelled one (2017-11-28): cancelled; change its status on its page first"
        in page
    )
    assert "Not changed: Not ours (2017-11-28): not a project of your organisation" in page
    assert Action.objects.get(pk=planned.pk).status == ActionStatus.COMPLETED
    assert Action.objects.get(pk=cancelled.pk).status == ActionStatus.CANCELLED
    assert Action.objects.get(pk=elsewhere.pk).status == ActionStatus.PLANNED
    # Saved one by one, so the audit trail has it, with the user.
    assert (
        Action.objects.get(pk=planned.pk).history.first().history_user.username
        == "coordinator-vdab"
    )


def test_copy_to_a_new_date_asks_the_date_then_copies_as_planned(coordinator_client, project, vdab):
    cohort = CohortFactory(
        project=project,
        reference="gt-2017-cohort-lkt",
        title="Guidance cohort LKT",
        place="Kortrijk",
        description="12 workshops",
    )
    cohort.organisers.set([vdab])
    cohort.offices.set([OfficeFactory(organisation=vdab)])
    FigureFactory(action=cohort, pes=vdab, metric=Metric.STARTS, value=1)
    url = reverse("admin:actions_action_changelist")
    form = {"action": "copy_to_new_date", "_selected_action": [cohort.pk]}

    asked = coordinator_client.post(url, form)

    assert asked.status_code == 200
    assert "new start date" in asked.content.decode()
    assert Action.objects.count() == 1

    done = coordinator_client.post(
        url, {**form, "apply": "1", "start_date": "2018-09-03"}, follow=True
    )

    copy = Action.objects.exclude(pk=cohort.pk).get()
    assert (
        "1 copy made, planned: Guidance cohort LKT (2018-09-03 - 2018-12-03)."
        in done.content.decode()
    )
    assert (copy.status, copy.start_date, copy.end_date, copy.year, copy.semester) == (
        ActionStatus.PLANNED,
        datetime.date(2018, 9, 3),
        datetime.date(2018, 12, 3),
        2018,
        "2018-S2",
    )
    assert (copy.title, copy.place, copy.description) == (
        "Guidance cohort LKT",
        "Kortrijk",
        "12 workshops",
    )
    # Not the original's reference: a new one, generated for the copy's project and year.
    assert copy.reference != cohort.reference
    assert copy.reference.startswith(f"{project.slug}-2018-")
    assert list(copy.organisers.all()) == [vdab]
    assert copy.offices.count() == 1
    assert not copy.figures.exists() and not copy.participations.exists()


def test_copy_without_a_date_says_so(coordinator_client, project):
    action = ActionFactory(project=project)
    response = coordinator_client.post(
        reverse("admin:actions_action_changelist"),
        {"action": "copy_to_new_date", "_selected_action": [action.pk], "apply": "1"},
    )
    assert "This field is required." in response.content.decode()
    assert Action.objects.count() == 1


# Imports through the admin.


def test_import_preview_then_confirm(coordinator_client, project, vdab, pole_emploi):
    action = ActionFactory(project=project, reference="gt-2017-jobdating-veurne")
    url = reverse("admin:actions_action_import", args=[action.pk, "participations"])
    assert coordinator_client.get(url).status_code == 200
    data = csv_file([HEADER, GOOD_ROWS[1]], delimiter=";", encoding="cp1252")

    preview = coordinator_client.post(url, {"file": io.BytesIO(data) | _named("zoe.csv")})

    page = preview.content.decode()
    assert "Preview: nothing is written yet" in page
    assert "VDAB V-002" in page and "new jobseeker, new participation" in page
    assert not Participation.objects.exists()
    token = preview.context["token"]

    done = coordinator_client.post(url, {"token": token, "confirm": "1"}, follow=True)

    assert "Imported zoe.csv: 1 row: 1 new participation, 0 updated." in done.content.decode()
    assert Participation.objects.get().jobseeker.given_name == "Zoë"
    # The audit trail has the import, with the coordinator who confirmed it.
    assert Participation.objects.get().history.get().history_user.username == "coordinator-vdab"


class _named:
    """`io.BytesIO(data) | _named("x.csv")`: an upload with a file name, as the browser sends."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __ror__(self, stream: io.BytesIO) -> io.BytesIO:
        stream.name = self.name
        return stream


def test_import_of_a_bad_file_shows_each_problem_and_writes_nothing(
    coordinator_client, project, vdab, pole_emploi
):
    action = ActionFactory(project=project)
    url = reverse("admin:actions_action_import", args=[action.pk, "participations"])
    data = xlsx_file(
        [
            HEADER,
            ["vdab", "V-1", "", "", "started", "31/02/2017", ""],
            ["pole-emploi", "PE-1", "Hélène", "Dupré", "started", "", ""],
        ]
    )

    response = coordinator_client.post(url, {"file": io.BytesIO(data) | _named("liste.xlsx")})

    assert response.status_code == 200
    page = response.content.decode()
    assert "The file has 2 problems; nothing was written." in page
    assert "&quot;31/02/2017&quot; is not a date; write it as 2017-11-28 or 28/11/2017." in page
    assert "you may only import jobseekers of VDAB; this row is for France Travail." in page
    assert response.context["token"] == ""
    assert not Jobseeker.objects.exists()


def test_an_oversized_upload_is_refused_by_the_form(coordinator_client, project, settings):
    settings.IMPORT_MAX_BYTES = 1024
    action = ActionFactory(project=project)
    url = reverse("admin:actions_action_import", args=[action.pk, "figures"])

    response = coordinator_client.post(url, {"file": io.BytesIO(b"x" * 3000) | _named("f.csv")})

    assert (
        "The file is 3 KB; the limit is 1 KB. Split it into smaller files."
        in response.content.decode()
    )
    assert not Figure.objects.exists()


def test_figures_import_in_the_admin(coordinator_client, project, vdab):
    action = ActionFactory(project=project)
    url = reverse("admin:actions_action_import", args=[action.pk, "figures"])
    data = csv_file(
        [["metric", "pes", "value"], ["starts", "vdab", "11"], ["vacancies", "", "17"]],
        delimiter=";",
        encoding="cp1252",
    )

    preview = coordinator_client.post(url, {"file": io.BytesIO(data) | _named("f.csv")})
    coordinator_client.post(url, {"token": preview.context["token"], "confirm": "1"})

    assert sorted(action.figures.values_list("metric", "value")) == [
        ("starts", 11),
        ("vacancies", 17),
    ]


def test_a_coordinator_cannot_import_figures_into_another_project(coordinator_client):
    action = ActionFactory()
    url = reverse("admin:actions_action_import", args=[action.pk, "figures"])
    assert coordinator_client.get(url).status_code == 403


@pytest.mark.parametrize("kind", ["participations", "figures"])
def test_templates_download(coordinator_client, kind):
    for file_format in ("xlsx", "csv"):
        response = coordinator_client.get(
            reverse("admin:actions_action_import_template", args=[kind, file_format])
        )
        assert response.status_code == 200
        assert response["Content-Disposition"] == (
            f'attachment; filename="{kind}-template.{file_format}"'
        )


SEP_MESSAGE = "“|” is not a separator; use any of: “;”, “,”, “tab”."


@pytest.mark.parametrize(
    ("language", "query", "delimiter"),
    [
        ("en", "", ","),
        ("nl", "", ";"),
        ("fr", "", ";"),
        ("nl", "?sep=%2C", ","),
        ("en", "?sep=tab", "\t"),
    ],
)
@pytest.mark.parametrize("kind", ["participations", "figures"])
def test_a_csv_template_is_separated_as_the_language_or_sep_asks(
    coordinator_client, kind, language, query, delimiter
):
    url = reverse("admin:actions_action_import_template", args=[kind, "csv"]) + query
    response = coordinator_client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    header = response.content.decode("utf-8-sig").split("\r\n")[0]
    assert header.startswith(
        delimiter.join(["action", "pes" if kind == "participations" else "metric"])
    )


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_template_refuses_a_separator_there_is_not(coordinator_client, file_format):
    url = reverse("admin:actions_action_import_template", args=["figures", file_format])
    response = coordinator_client.get(url, {"sep": "|"})
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == f"sep: {SEP_MESSAGE}\n"


def test_a_template_is_for_the_admin_s_users_only(client, stranger):
    url = reverse("admin:actions_action_import_template", args=["figures", "csv"])
    assert client.get(url, {"sep": ","}).status_code == 302
    client.force_login(stranger)
    response = client.get(url, {"sep": ","})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_template_is_the_import_s_columns(coordinator_client):
    xlsx = coordinator_client.get(
        reverse("admin:actions_action_import_template", args=["figures", "xlsx"])
    )
    assert [c.value for c in load_workbook(io.BytesIO(xlsx.content))["import"][1]] == [
        "action",
        "metric",
        "pes",
        "value",
        "lower_bound",
        "note",
    ]


# Exports.


def test_participation_export_reimports_into_another_action(superuser_client, project, vdab):
    from participants.imports import import_participations

    source = ActionFactory(project=project, reference="source")
    ParticipationFactory(
        action=source,
        jobseeker=JobseekerFactory(
            pes=vdab, external_ref="V-1", given_name="Zoë", family_name="Vandenbroucke"
        ),
        status="completed",
        started_on=datetime.date(2017, 11, 28),
        completed_on=datetime.date(2017, 11, 28),
    )
    ParticipationFactory(
        action=ActionFactory(project=project), jobseeker=JobseekerFactory(pes=vdab)
    )

    response = superuser_client.post(
        reverse("admin:participants_participation_export") + f"?action__id__exact={source.pk}",
        {"format": "0", "resource": "0"},
    )

    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["action", "pes", "reference", "given_name"]
    assert rows[1][:5] == ["source", "vdab", "V-1", "Zoë", "Vandenbroucke"]
    assert len(rows) == 2

    target = ActionFactory(project=project, reference="target")
    # The action's cell only: "leaving_source" is a column.
    exported = text.replace("\nsource,", "\ntarget,").encode("utf-8")
    result = import_participations(
        action=target, filename="export.csv", data=exported, dry_run=False
    )
    assert [str(p) for p in result.problems] == []
    assert target.participations.get().completed_on == datetime.date(2017, 11, 28)


def test_figure_export_to_xlsx(superuser_client, project, vdab):
    action = ActionFactory(project=project, reference="gt-2017-jobdating-veurne")
    FigureFactory(action=action, pes=vdab, metric=Metric.STARTS, value=11)
    FigureFactory(action=action, pes=None, metric=Metric.STARTS, value=200, is_lower_bound=True)

    response = superuser_client.post(
        reverse("admin:actions_figure_export"), {"format": "1", "resource": "0"}
    )

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [
        ["action", "metric", "pes", "value", "lower_bound", "note"],
        ["gt-2017-jobdating-veurne", "starts", "vdab", 11, None, None],
        ["gt-2017-jobdating-veurne", "starts", None, 200, "yes", None],
    ]


# Validation messages, links.


def test_a_figure_for_a_pes_with_records_says_what_to_do(superuser_client, project, vdab):
    action = ActionFactory(project=project)
    ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab))

    response = superuser_client.post(
        reverse("admin:actions_figure_add"),
        {"action": action.pk, "metric": "starts", "pes": vdab.pk, "value": "3"},
    )

    assert (
        "VDAB keeps individual participation records for this action; its starts are counted "
        "from them. Enter the figure without PES if it counts others."
    ) in response.content.decode()
    assert not Figure.objects.exists()


def test_the_action_page_links_to_imports_and_exports(superuser_client, project):
    action = ActionFactory(project=project)

    page = superuser_client.get(
        reverse("admin:actions_action_change", args=[action.pk])
    ).content.decode()

    assert reverse("admin:actions_action_import", args=[action.pk, "participations"]) in page
    assert reverse("admin:actions_action_import", args=[action.pk, "figures"]) in page
    assert (
        reverse("admin:participants_participation_export") + f"?action__id__exact={action.pk}"
        in page
    )
    assert reverse("reports:action-detail", args=[action.pk]) in page
    assert reverse("reports:project-detail", args=[project.slug]) in page


def test_the_admin_links_to_the_dashboards(superuser_client, project):
    changelist = superuser_client.get(reverse("admin:actions_action_changelist"))
    assert f'href="{reverse("reports:overview")}"' in changelist.content.decode()
    projects = superuser_client.get(reverse("admin:projects_project_changelist"))
    assert reverse("reports:project-detail", args=[project.slug]) in projects.content.decode()


# Audit trail.


def test_the_history_records_the_user_and_the_change(coordinator_client, coordinator, project):
    action = ActionFactory(project=project, place="Veurne")
    url = reverse("admin:actions_action_change", args=[action.pk])
    form = coordinator_client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        data[name] = (
            [getattr(v, "pk", v) for v in value]
            if isinstance(value, list)
            else getattr(value, "pk", value)
        )
    # The place is a text in every language: the coordinator changes its English one.
    data["place_en"] = "Dunkerque"
    for prefix in ("figures", "employers", "job_offers", "participations"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})

    assert coordinator_client.post(url, data).status_code == 302

    latest = action.history.first()
    assert latest.history_user == coordinator
    assert latest.place == "Dunkerque"
    delta = latest.diff_against(latest.prev_record)
    # The place's column in the site's default language and the English one it mirrors.
    assert [(c.field, c.old, c.new) for c in delta.changes if c.old or c.new] == [
        ("place", "Veurne", "Dunkerque"),
        ("place_en", "Veurne", "Dunkerque"),
    ]

    history = coordinator_client.get(reverse("admin:actions_action_history", args=[action.pk]))
    page = history.content.decode()
    assert "coordinator-vdab" in page
    assert "Dunkerque" in page
    # An earlier version can be opened.
    earlier = action.history.last()
    version = coordinator_client.get(
        reverse("admin:actions_action_simple_history", args=[action.pk, earlier.history_id])
    )
    assert version.status_code == 200
    assert 'value="Veurne"' in version.content.decode()


def test_the_admin_sends_big_files_to_the_command(coordinator_client, project, vdab, monkeypatch):
    from crossborder.core import tabular

    monkeypatch.setattr(tabular, "ADMIN_MAX_ROWS", 2)
    action = ActionFactory(project=project)
    url = reverse("admin:actions_action_import", args=[action.pk, "participations"])
    rows = [HEADER] + [["vdab", f"V-{n}", "", "", "started", "", ""] for n in range(3)]
    data = csv_file(rows, delimiter=";", encoding="cp1252")

    response = coordinator_client.post(url, {"file": io.BytesIO(data) | _named("big.csv")})

    assert (
        "The file has more than 2 rows; split it into smaller files (or import it with "
        "manage.py import_participations)."
    ) in response.content.decode()
    assert not Participation.objects.exists()


def test_a_preview_confirms_only_its_own_import(coordinator_client, project, vdab):
    first = ActionFactory(project=project)
    second = ActionFactory(project=project)
    data = csv_file([HEADER, GOOD_ROWS[1]], delimiter=";", encoding="cp1252")
    preview = coordinator_client.post(
        reverse("admin:actions_action_import", args=[first.pk, "participations"]),
        {"file": io.BytesIO(data) | _named("zoe.csv")},
    )
    token = preview.context["token"]

    elsewhere = coordinator_client.post(
        reverse("admin:actions_action_import", args=[second.pk, "participations"]),
        {"token": token, "confirm": "1"},
    )

    assert "The previewed file has expired; upload it again." in elsewhere.content.decode()
    assert not Participation.objects.exists()


def test_a_preview_whose_file_is_gone_asks_for_the_file_again(coordinator_client, project, vdab):
    from crossborder.uploads.models import ImportPreview

    action = ActionFactory(project=project)
    url = reverse("admin:actions_action_import", args=[action.pk, "participations"])
    data = csv_file([HEADER, GOOD_ROWS[1]], delimiter=";", encoding="cp1252")
    token = coordinator_client.post(url, {"file": io.BytesIO(data) | _named("zoe.csv")}).context[
        "token"
    ]
    # Swept meanwhile (its hour passed, or purge_import_previews ran).
    ImportPreview.objects.filter(token=token).delete()

    response = coordinator_client.post(url, {"token": token, "confirm": "1"})

    assert response.status_code == 200
    assert "The previewed file has expired; upload it again." in response.content.decode()
    assert not Participation.objects.exists()


# The places of a guidance cohort, for the records of one form together.


def _change_form_data(client, url: str) -> dict:
    """The action's change form as the page fills it, with no inline rows."""
    form = client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        data[name] = (
            [getattr(v, "pk", v) for v in value]
            if isinstance(value, list)
            else getattr(value, "pk", value)
        )
    for prefix in ("figures", "employers", "job_offers", "participations"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def _new_participations(data: dict, jobseekers: list) -> dict:
    data["participations-TOTAL_FORMS"] = str(len(jobseekers))
    for index, jobseeker in enumerate(jobseekers):
        data[f"participations-{index}-jobseeker"] = jobseeker.pk
        data[f"participations-{index}-status"] = "started"
    return data


def test_records_added_together_may_not_overfill_a_cohort(superuser_client, project, vdab):
    cohort = CohortFactory(project=project)
    for _ in range(10):
        ParticipationFactory(action=cohort, jobseeker=JobseekerFactory(pes=vdab))
    url = reverse("admin:actions_action_change", args=[cohort.pk])
    newcomers = [JobseekerFactory(pes=vdab) for _ in range(3)]

    data = _new_participations(_change_form_data(superuser_client, url), newcomers)
    response = superuser_client.post(url, data)

    assert response.status_code == 200
    assert (
        "A guidance cohort takes at most 12 jobseekers; this one would have 13."
        in response.content.decode()
    )
    assert cohort.participations.count() == 10

    data = _new_participations(_change_form_data(superuser_client, url), newcomers[:2])
    assert superuser_client.post(url, data).status_code == 302
    assert cohort.participations.count() == 12
