"""Reporting periods: the life cycle with an allowed user and a stranger at each step, and the
lock on every write path (services, the admin's forms, the imports) while a period is submitted
or approved."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.contrib.admin.sites import site
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test import RequestFactory
from django.urls import reverse

from actions.imports import import_figures
from actions.models import Action, Figure
from actions.services import action_update, figure_delete, figure_upsert
from crossborder.core.metrics import Metric
from crossborder.core.vocabulary import ActionStatus, ParticipationStatus
from participants.imports import import_participations
from participants.models import Participation
from participants.services import participation_delete, participation_upsert
from projects.models import (
    PartnerRole,
    PeriodStatus,
    PeriodTransition,
    ReportingPeriod,
    TransitionKind,
)
from projects.periods import (
    TransitionRefused,
    period_transition,
    periods_ensure,
    periods_for,
    steps_for,
)
from projects.roles import COORDINATOR
from tests.factories import (
    ActionFactory,
    FigureFactory,
    JobseekerFactory,
    MembershipFactory,
    ParticipationFactory,
    ProjectFactory,
    ProjectPartnerFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SUBMIT, APPROVE, RETURN, REOPEN = (
    TransitionKind.SUBMIT,
    TransitionKind.APPROVE,
    TransitionKind.RETURN,
    TransitionKind.REOPEN,
)


@pytest.fixture
def project(vdab, le_forem):
    """Le Forem leads the project, VDAB takes part in it."""
    project = ProjectFactory(slug="grenzeloos", name="Grenzeloos")
    ProjectPartnerFactory(project=project, organisation=vdab, role=PartnerRole.PARTNER)
    ProjectPartnerFactory(project=project, organisation=le_forem, role=PartnerRole.LEAD)
    return project


@pytest.fixture
def action(project):
    """A jobdating of 2018-S1."""
    return ActionFactory(project=project, start_date=datetime.date(2018, 2, 10))


@pytest.fixture
def period(project, vdab):
    return ReportingPeriod.objects.create(project=project, year=2018, semester="2018-S1", pes=vdab)


def coordinator_of(organisation, username):
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=COORDINATOR))
    MembershipFactory(user=user, organisation=organisation)
    return user


@pytest.fixture
def lead_coordinator(le_forem):
    return coordinator_of(le_forem, "coordinator-le-forem")


def locked(period, status):
    ReportingPeriod.objects.filter(pk=period.pk).update(status=status)
    period.refresh_from_db()
    return period


# The life cycle.


def test_a_coordinator_of_the_pes_submits_and_the_step_is_recorded(period, coordinator):
    period_transition(period=period, kind=SUBMIT, user=coordinator, comment=" Our figures ")

    period.refresh_from_db()
    assert period.status == PeriodStatus.SUBMITTED
    step = period.transitions.get()
    assert (step.kind, step.status, step.by, step.comment) == (
        SUBMIT,
        PeriodStatus.SUBMITTED,
        coordinator,
        "Our figures",
    )


@pytest.mark.parametrize(
    "who", ["stranger", "partner_vdab", "manager", "lead_coordinator", "other_pes_coordinator"]
)
def test_only_a_coordinator_of_the_pes_may_submit(request, period, le_forem, who):
    if who == "other_pes_coordinator":
        user = coordinator_of(le_forem, "another")
    else:
        user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied) as refused:
        period_transition(period=period, kind=SUBMIT, user=user)
    assert str(refused.value) == (
        "Only a coordinator of VDAB who takes part in the project may submit this period."
    )
    period.refresh_from_db()
    assert period.status == PeriodStatus.OPEN
    assert not PeriodTransition.objects.exists()


def test_a_coordinator_of_the_pes_outside_the_project_may_not_submit(vdab):
    elsewhere = ProjectFactory(slug="elsewhere")
    period = ReportingPeriod.objects.create(
        project=elsewhere, year=2018, semester="2018-S1", pes=vdab
    )
    with pytest.raises(PermissionDenied):
        period_transition(period=period, kind=SUBMIT, user=coordinator_of(vdab, "vdab-2"))


@pytest.mark.parametrize("who", ["manager", "lead_coordinator"])
def test_a_manager_or_the_lead_partners_coordinator_approves(request, period, who):
    locked(period, PeriodStatus.SUBMITTED)
    user = request.getfixturevalue(who)

    period_transition(period=period, kind=APPROVE, user=user)

    period.refresh_from_db()
    assert period.status == PeriodStatus.APPROVED
    assert period.transitions.get().by == user


@pytest.mark.parametrize("kind", [APPROVE, RETURN])
@pytest.mark.parametrize("who", ["stranger", "partner_vdab", "coordinator"])
def test_nobody_else_approves_or_returns(request, period, kind, who):
    locked(period, PeriodStatus.SUBMITTED)
    with pytest.raises(PermissionDenied) as refused:
        period_transition(
            period=period, kind=kind, user=request.getfixturevalue(who), comment="Check"
        )
    done = "approve" if kind == APPROVE else "return"
    assert str(refused.value) == (
        f"Only a manager or a coordinator of the project's lead partner may {done} it."
    )
    period.refresh_from_db()
    assert period.status == PeriodStatus.SUBMITTED


def test_a_return_needs_a_comment_and_the_pes_submits_again(period, manager, coordinator):
    locked(period, PeriodStatus.SUBMITTED)
    with pytest.raises(ValidationError) as refused:
        period_transition(period=period, kind=RETURN, user=manager, comment="  ")
    assert refused.value.message_dict == {
        "comment": ["Say what the PES should correct before it submits again."]
    }

    period_transition(period=period, kind=RETURN, user=manager, comment="Hires are missing.")
    period.refresh_from_db()
    assert period.status == PeriodStatus.RETURNED
    period_transition(period=period, kind=SUBMIT, user=coordinator)
    period.refresh_from_db()
    assert period.status == PeriodStatus.SUBMITTED
    assert list(period.transitions.values_list("kind", "comment")) == [
        (RETURN, "Hires are missing."),
        (SUBMIT, ""),
    ]


@pytest.mark.parametrize("who", ["stranger", "coordinator", "lead_coordinator", "partner_vdab"])
def test_only_a_manager_reopens(request, period, who):
    locked(period, PeriodStatus.APPROVED)
    with pytest.raises(PermissionDenied) as refused:
        period_transition(
            period=period, kind=REOPEN, user=request.getfixturevalue(who), comment="Typo"
        )
    assert str(refused.value) == "Only a manager may reopen a reporting period."


@pytest.mark.parametrize("status", [PeriodStatus.SUBMITTED, PeriodStatus.APPROVED])
def test_a_manager_reopens_with_a_reason(period, manager, status):
    locked(period, status)
    with pytest.raises(ValidationError) as refused:
        period_transition(period=period, kind=REOPEN, user=manager)
    assert refused.value.message_dict == {"comment": ["Give the reason for reopening the period."]}

    period_transition(period=period, kind=REOPEN, user=manager, comment="A hire came in late.")
    period.refresh_from_db()
    assert period.status == PeriodStatus.OPEN
    assert period.transitions.get().comment == "A hire came in late."


@pytest.mark.parametrize(
    ("status", "kind", "message"),
    [
        (
            PeriodStatus.OPEN,
            APPROVE,
            "The period is open: only a submitted period can be approved.",
        ),
        (
            PeriodStatus.APPROVED,
            SUBMIT,
            "The period is approved: only an open or returned period can be submitted.",
        ),
        (
            PeriodStatus.RETURNED,
            RETURN,
            "The period is returned: only a submitted period can be returned.",
        ),
        (
            PeriodStatus.OPEN,
            REOPEN,
            "The period is open: only a submitted or approved period can be reopened.",
        ),
    ],
)
def test_a_step_the_status_does_not_allow_is_refused_naming_why(
    period, superuser, status, kind, message
):
    locked(period, status)
    with pytest.raises(TransitionRefused) as refused:
        period_transition(period=period, kind=kind, user=superuser, comment="Why")
    assert refused.value.message == message
    assert not PeriodTransition.objects.exists()


def test_a_comment_too_long_or_with_a_nul_is_refused(period, coordinator):
    with pytest.raises(ValidationError) as refused:
        period_transition(period=period, kind=SUBMIT, user=coordinator, comment="x" * 2001)
    assert refused.value.message_dict == {
        "comment": ["At most 2000 characters; this one has 2001."]
    }
    with pytest.raises(ValidationError):
        period_transition(period=period, kind=SUBMIT, user=coordinator, comment="a\x00b")
    assert not PeriodTransition.objects.exists()


def test_the_steps_offered_follow_the_user_and_the_status(
    period, coordinator, manager, lead_coordinator, stranger
):
    assert steps_for(coordinator, period) == [SUBMIT]
    assert steps_for(manager, period) == []
    locked(period, PeriodStatus.SUBMITTED)
    assert steps_for(coordinator, period) == []
    assert steps_for(manager, period) == [APPROVE, RETURN, REOPEN]
    assert steps_for(lead_coordinator, period) == [APPROVE, RETURN]
    assert steps_for(stranger, period) == []


# Who sees which periods, and which rows exist.


def test_managers_see_every_period_coordinators_those_of_their_projects(
    period, vdab, manager, coordinator, partner_vdab, stranger
):
    other = ReportingPeriod.objects.create(
        project=ProjectFactory(slug="not-ours"), year=2018, semester="2018-S1", pes=vdab
    )
    assert set(periods_for(manager)) == {period, other}
    assert list(periods_for(coordinator)) == [period]
    assert not periods_for(partner_vdab).exists()
    assert not periods_for(stranger).exists()


def test_rows_are_made_for_each_semester_with_actions_and_each_partner_pes(
    project, vdab, le_forem, django_assert_num_queries
):
    ActionFactory(project=project, start_date=datetime.date(2018, 2, 10))
    ActionFactory(project=project, start_date=datetime.date(2018, 3, 1))
    ActionFactory(project=project, start_date=None, year=2019, semester="")
    ProjectPartnerFactory(project=project, role=PartnerRole.ASSOCIATED)  # not a PES

    with django_assert_num_queries(4):
        assert periods_ensure() == 4
    assert set(ReportingPeriod.objects.values_list("year", "semester", "pes__slug", "status")) == {
        (2018, "2018-S1", "vdab", "open"),
        (2018, "2018-S1", "le-forem", "open"),
        (2019, "", "vdab", "open"),
        (2019, "", "le-forem", "open"),
    }
    with django_assert_num_queries(3):
        assert periods_ensure() == 0


def test_no_actions_no_rows(project):
    assert periods_ensure() == 0
    assert not ReportingPeriod.objects.exists()


# The lock, on every write path.

LOCKED = [PeriodStatus.SUBMITTED, PeriodStatus.APPROVED]


def lock_message(status):
    if status == PeriodStatus.SUBMITTED:
        return (
            "The reporting period Grenzeloos, 2018-S1, VDAB is submitted: its figures and "
            "participation records cannot change. A manager or a coordinator of the lead "
            "partner may return it; a manager may reopen it."
        )
    return (
        "The reporting period Grenzeloos, 2018-S1, VDAB is approved: its figures and "
        "participation records cannot change. Only a manager may reopen it."
    )


@pytest.mark.parametrize("status", LOCKED)
def test_figures_of_a_locked_period_are_not_created_changed_or_deleted(
    period, action, vdab, le_forem, status
):
    figure = FigureFactory(action=action, pes=vdab, metric=Metric.STARTS, value=4)
    locked(period, status)

    for metric, value in ((Metric.STARTS, 5), (Metric.PLACEMENTS, 1)):
        with pytest.raises(ValidationError) as refused:
            figure_upsert(action=action, metric=metric, pes=vdab, value=value)
        assert refused.value.messages == [lock_message(status)]
    with pytest.raises(ValidationError) as refused:
        figure_delete(figure=figure, reason="typo", user=None)
    assert refused.value.messages == [lock_message(status)]
    assert list(Figure.objects.values_list("metric", "value")) == [(Metric.STARTS, 4)]

    # Another PES's period, and the unsplit figures, which belong to no PES, stay open.
    figure_upsert(action=action, metric=Metric.STARTS, pes=le_forem, value=2)
    figure_upsert(action=action, metric=Metric.EMPLOYERS, pes=None, value=3)
    # Sending the figure as it is changes nothing, and is no error.
    figure_upsert(action=action, metric=Metric.STARTS, pes=vdab, value=4)


@pytest.mark.parametrize("status", LOCKED)
def test_records_of_a_locked_period_are_not_created_changed_or_deleted(
    period, action, vdab, le_forem, status
):
    held = ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab))
    newcomer = JobseekerFactory(pes=vdab)
    locked(period, status)

    with pytest.raises(ValidationError) as refused:
        participation_upsert(action=action, jobseeker=newcomer, status=ParticipationStatus.STARTED)
    assert refused.value.messages == [lock_message(status)]
    with pytest.raises(ValidationError):
        participation_upsert(
            action=action, jobseeker=held.jobseeker, status=ParticipationStatus.COMPLETED
        )
    with pytest.raises(ValidationError) as refused:
        participation_delete(participation=held, reason="typo", user=None)
    assert refused.value.messages == [lock_message(status)]
    assert list(Participation.objects.values_list("jobseeker", "status")) == [
        (held.jobseeker.pk, ParticipationStatus.STARTED)
    ]
    participation_upsert(
        action=action, jobseeker=JobseekerFactory(pes=le_forem), status=ParticipationStatus.STARTED
    )


def test_a_record_moved_out_of_a_locked_period_is_refused(period, action, project, vdab):
    held = ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab))
    locked(period, PeriodStatus.APPROVED)
    held.action = ActionFactory(project=project, start_date=datetime.date(2018, 9, 1))
    with pytest.raises(ValidationError) as refused:
        held.full_clean()
    assert refused.value.messages == [lock_message(PeriodStatus.APPROVED)]


@pytest.mark.parametrize("status", LOCKED)
def test_an_action_does_not_move_into_or_out_of_a_locked_period(
    period, action, project, vdab, status
):
    later = ActionFactory(project=project, start_date=datetime.date(2018, 9, 1))
    FigureFactory(action=later, pes=vdab)
    FigureFactory(action=action, pes=vdab)
    locked(period, status)
    expected = (
        "The action's dates, status, type and project cannot change while it holds figures of "
        f"a locked period. {lock_message(status)}"
    )

    # Into 2018-S1.
    with pytest.raises(ValidationError) as refused:
        action_update(action=later, start_date=datetime.date(2018, 3, 1))
    assert refused.value.messages == [expected]
    # Out of it, to another project, and its status and type within it.
    changes = [
        {"start_date": datetime.date(2018, 9, 2)},
        {"project": ProjectFactory(slug="another")},
        {"status": ActionStatus.CANCELLED, "cancellation_reason": "Rain"},
        {"action_type": "company_visit"},
    ]
    for values in changes:
        with pytest.raises(ValidationError) as refused:
            action_update(action=Action.objects.get(pk=action.pk), **values)
        assert refused.value.messages == [expected]
    assert Action.objects.get(pk=action.pk).start_date == datetime.date(2018, 2, 10)
    # What does not place it or change its counts may change.
    action_update(action=Action.objects.get(pk=action.pk), title="Jobdating Veurne")


def test_an_action_without_records_of_the_pes_moves_freely(period, action, project):
    later = ActionFactory(project=project, start_date=datetime.date(2018, 9, 1))
    locked(period, PeriodStatus.APPROVED)
    action_update(action=later, start_date=datetime.date(2018, 3, 1))
    action_update(action=Action.objects.get(pk=action.pk), status=ActionStatus.ONGOING)


def admin_form(model, obj, superuser, **changes):
    """The admin's change form of a record, as the page would post it with these changes."""
    request = RequestFactory().get("/")
    request.user = superuser
    form_class = site._registry[model].get_form(request, obj, change=True)
    unbound = form_class(instance=obj)
    data = {name: unbound[name].value() for name in unbound.fields}
    data.update(changes)
    data = {name: "" if value is None else value for name, value in data.items()}
    return form_class(data, instance=obj)


@pytest.mark.parametrize("status", LOCKED)
def test_the_admin_forms_refuse_a_change_in_a_locked_period(
    period, action, vdab, superuser, status
):
    figure = FigureFactory(action=action, pes=vdab, value=4)
    record = ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab))
    locked(period, status)

    form = admin_form(Figure, figure, superuser, value=5)
    assert not form.is_valid()
    assert form.non_field_errors() == [lock_message(status)]
    form = admin_form(Participation, record, superuser, status=ParticipationStatus.COMPLETED)
    assert not form.is_valid()
    assert form.non_field_errors() == [lock_message(status)]
    form = admin_form(Action, Action.objects.get(pk=action.pk), superuser, start_date="2018-09-01")
    assert not form.is_valid()
    assert lock_message(status) in form.non_field_errors()[0]


def test_the_admin_form_takes_the_change_after_a_reopening(
    period, action, vdab, superuser, manager
):
    figure = FigureFactory(action=action, pes=vdab, value=4)
    locked(period, PeriodStatus.APPROVED)
    period_transition(period=period, kind=REOPEN, user=manager, comment="Late hire")
    form = admin_form(Figure, figure, superuser, value=5)
    assert form.is_valid(), form.errors


def figures_file(*rows):
    return ("metric;pes;value\r\n" + "".join(f"{row}\r\n" for row in rows)).encode()


def people_file(*rows):
    header = "pes;reference;status;started_on\r\n"
    return (header + "".join(f"{row}\r\n" for row in rows)).encode()


@pytest.mark.parametrize("status", LOCKED)
def test_the_imports_refuse_a_file_touching_a_locked_period_once(
    period, action, vdab, le_forem, status, django_assert_max_num_queries
):
    locked(period, status)
    result = import_figures(
        action=action,
        filename="f.csv",
        data=figures_file("starts;le-forem;2", "starts;vdab;3"),
        dry_run=False,
    )
    assert [str(problem) for problem in result.problems] == [lock_message(status)]
    assert not result.written
    assert not Figure.objects.exists()

    rows = [f"vdab;V-{n:03d};started;2018-02-10" for n in range(50)]
    # The lock is asked once for the file, not once per row.
    with django_assert_max_num_queries(8):
        result = import_participations(
            action=action, filename="p.csv", data=people_file(*rows), dry_run=False
        )
    assert [str(problem) for problem in result.problems] == [lock_message(status)]
    assert not Participation.objects.exists()


def test_the_imports_write_again_after_a_reopening(period, action, project, vdab, manager):
    locked(period, PeriodStatus.APPROVED)
    period_transition(period=period, kind=REOPEN, user=manager, comment="Late hire")
    # A PES gives either figures or records for an action: the figures go to another one.
    other = ActionFactory(project=project, start_date=datetime.date(2018, 3, 1))
    result = import_figures(
        action=other, filename="f.csv", data=figures_file("starts;vdab;3"), dry_run=False
    )
    assert result.written, result.problems
    result = import_participations(
        action=action,
        filename="p.csv",
        data=people_file("vdab;V-001;started;2018-02-10"),
        dry_run=False,
    )
    assert result.written, result.problems
    assert Participation.objects.count() == 1


def test_every_service_writes_again_after_a_reopening(period, action, project, vdab, manager):
    other = ActionFactory(project=project, start_date=datetime.date(2018, 3, 1))
    figure = FigureFactory(action=other, pes=vdab, value=4)
    record = ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab))
    locked(period, PeriodStatus.SUBMITTED)
    period_transition(period=period, kind=REOPEN, user=manager, comment="Late hire")

    figure_upsert(action=other, metric=Metric.STARTS, pes=vdab, value=5)
    participation_upsert(
        action=action, jobseeker=record.jobseeker, status=ParticipationStatus.COMPLETED
    )
    action_update(action=Action.objects.get(pk=action.pk), start_date=datetime.date(2018, 3, 2))
    figure_delete(figure=Figure.objects.get(pk=figure.pk), reason="typo", user=None)
    participation_delete(
        participation=Participation.objects.get(pk=record.pk), reason="typo", user=None
    )
    assert not Figure.objects.exists()
    assert not Participation.objects.exists()


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


# The admin's deletions and its read-only pages of periods.


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.mark.parametrize("status", LOCKED)
def test_the_admin_does_not_delete_a_record_or_an_action_of_a_locked_period(
    admin_client, period, action, project, vdab, status
):
    other = ActionFactory(project=project, start_date=datetime.date(2018, 3, 1))
    figure = FigureFactory(action=other, pes=vdab)
    record = ParticipationFactory(action=action, jobseeker=JobseekerFactory(pes=vdab))
    locked(period, status)
    deletions = [
        ("actions_figure", figure.pk),
        ("participants_participation", record.pk),
        ("actions_action", action.pk),
    ]
    for name, pk in deletions:
        response = admin_client.post(
            reverse(f"admin:{name}_delete", args=[pk]), {"post": "yes", "reason": "typo"}
        )
        assert response.status_code == 302
        assert response.url == reverse(f"admin:{name}_change", args=[pk])
        page = admin_client.get(response.url)
        assert lock_message(status) in [str(m) for m in page.context["messages"]]
    assert Figure.objects.filter(pk=figure.pk).exists()
    assert Participation.objects.filter(pk=record.pk).exists()
    assert Action.objects.filter(pk=action.pk).exists()


def _inline_data(client, url: str) -> dict:
    """The action's admin page as it comes, every inline row included."""
    page = client.get(url)
    forms = [page.context["adminform"].form]
    data: dict = {}
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(len(formset.forms))
        data[f"{formset.prefix}-INITIAL_FORMS"] = str(formset.initial_form_count())
        forms.extend(formset.forms)
    for form in forms:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value is None or value is False:
                continue
            if isinstance(value, list):
                value = [getattr(v, "pk", v) for v in value]
            data[form.add_prefix(name)] = getattr(value, "pk", value)
    return data


def test_a_row_of_a_locked_period_is_not_deleted_on_the_action_page(
    admin_client, period, action, vdab
):
    figure = FigureFactory(action=action, pes=vdab)
    locked(period, PeriodStatus.APPROVED)
    url = reverse("admin:actions_action_change", args=[action.pk])
    data = {
        **_inline_data(admin_client, url),
        "figures-0-DELETE": "on",
        "figures-0-deletion_reason": "typo",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert lock_message(PeriodStatus.APPROVED) in response.content.decode().replace("&#x27;", "'")
    assert Figure.objects.filter(pk=figure.pk).exists()


def test_the_periods_admin_is_read_only(admin_client, period, coordinator, manager):
    period_transition(period=period, kind=SUBMIT, user=coordinator, comment="Ours")
    changelist = admin_client.get(reverse("admin:projects_reportingperiod_changelist"))
    assert changelist.status_code == 200
    page = admin_client.get(reverse("admin:projects_reportingperiod_change", args=[period.pk]))
    assert page.status_code == 200
    assert "Ours" in page.content.decode()
    assert admin_client.get(reverse("admin:projects_reportingperiod_add")).status_code == 403
    delete = reverse("admin:projects_reportingperiod_delete", args=[period.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    admin_client.post(page.request["PATH_INFO"], {"status": "approved"})
    period.refresh_from_db()
    assert period.status == PeriodStatus.SUBMITTED


def _someone_waits_for_a_lock() -> bool:
    """Whether another connection of this database waits for a row lock, asked for a while."""
    with connection.cursor() as cursor:
        for _attempt in range(200):
            # Within a transaction the activity is read once and kept, unless cleared.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.05)
    return False


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks: PostgreSQL (SQLite has none)"
)
def test_a_write_at_the_moment_of_a_submit_waits_for_it_and_is_refused(project, vdab, coordinator):
    action = ActionFactory(project=project, start_date=datetime.date(2018, 2, 10))
    period = ReportingPeriod.objects.create(
        project=project, year=2018, semester="2018-S1", pes=vdab
    )
    outcome: list[str] = []

    def write() -> None:
        try:
            figure_upsert(
                action=Action.objects.get(pk=action.pk), metric=Metric.STARTS, pes=vdab, value=3
            )
            outcome.append("written")
        except ValidationError as refused:
            outcome.extend(refused.messages)
        finally:
            connection.close()

    with transaction.atomic():
        period_transition(period=period, kind=SUBMIT, user=coordinator)
        writer = threading.Thread(target=write)
        writer.start()
        # The write checked the period while the submit was not committed yet: it waits for it.
        waited = _someone_waits_for_a_lock()
    writer.join()

    assert waited
    assert outcome == [lock_message(PeriodStatus.SUBMITTED)]
    assert not Figure.objects.exists()


def test_the_demo_with_its_users_has_2018_s1_of_grenzeloos_tewerkstellen_approved():
    from crossborder.demo.data import load_demo

    load_demo(with_users=True)
    load_demo(with_users=True)  # a second load takes no step again

    assert sorted(
        ReportingPeriod.objects.filter(status=PeriodStatus.APPROVED).values_list(
            "project__slug", "semester", "pes__slug"
        )
    ) == [
        ("grenzeloos-tewerkstellen", "2018-S1", "le-forem"),
        ("grenzeloos-tewerkstellen", "2018-S1", "pole-emploi"),
        ("grenzeloos-tewerkstellen", "2018-S1", "vdab"),
    ]
    vdab_steps = PeriodTransition.objects.filter(period__pes__slug="vdab").order_by("pk")
    assert list(vdab_steps.values_list("kind", "by__username")) == [
        ("submit", "coordinator"),
        ("approve", "manager"),
    ]
    assert PeriodTransition.objects.count() == 6
