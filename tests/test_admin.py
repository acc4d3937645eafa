"""Every model has a working admin: list, add and change pages, filters and search."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from actions.models import Action
from projects.models import PeriodTransition, ReportingPeriod

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(user)
    return client


def test_every_model_is_registered_in_the_admin():
    from django.apps import apps

    ours = [
        m
        for m in apps.get_models()
        if m._meta.app_label in {"projects", "actions", "participants"}
        and not m.__name__.startswith("Historical")
    ]
    assert [m for m in ours if m not in admin.site._registry] == []


@pytest.mark.parametrize(
    "model",
    [
        m
        for m in admin.site._registry
        if m._meta.app_label in {"projects", "actions", "participants"}
    ],
    ids=lambda m: m._meta.label,
)
def test_list_and_add_pages_open(superuser_client, demo, model):
    opts = model._meta
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    assert superuser_client.get(changelist).status_code == 200
    assert superuser_client.get(changelist, {"q": "vdab"}).status_code == 200
    # The reporting periods and their steps are read only: they have no add page.
    expected = 403 if model in (ReportingPeriod, PeriodTransition) else 200
    assert (
        superuser_client.get(reverse(f"admin:{opts.app_label}_{opts.model_name}_add")).status_code
        == expected
    )
    first = model.objects.first()
    if first is not None:
        change = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
        assert superuser_client.get(change).status_code == 200


def test_action_filters_by_project_type_status_semester_and_pes(superuser_client, demo):
    url = reverse("admin:actions_action_changelist")
    response = superuser_client.get(
        url,
        {
            "project__id__exact": Action.objects.get(reference="gt-2017-cohort-lkt").project_id,
            "action_type__exact": "guidance_cohort",
            "status__exact": "completed",
            "semester": "2017-S1",
            "pes": "le-forem",
        },
    )
    assert response.status_code == 200
    assert [a.reference for a in response.context["cl"].result_list] == ["gt-2017-cohort-lkt"]


def test_action_changelist_query_count_does_not_grow_with_rows(
    superuser_client, demo, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        superuser_client.get(reverse("admin:actions_action_changelist"))


def test_bad_input_in_the_action_form_shows_the_message_not_a_500(superuser_client, demo):
    action = Action.objects.get(reference="gt-2017-cohort-lkt")
    url = reverse("admin:actions_action_change", args=[action.pk])
    form = superuser_client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None:
            continue
        if isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
        else:
            data[name] = getattr(value, "pk", value)
    data.update({"end_date": "2017-08-30"})
    for prefix in ("figures", "employers", "job_offers", "participations"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = superuser_client.post(url, data)
    assert response.status_code == 200
    assert (
        "A guidance cohort lasts at most 3 months: end on 2017-07-27 at the latest."
        in response.content.decode()
    )
    assert Action.objects.get(pk=action.pk).end_date.isoformat() == "2017-07-27"


def test_participations_filter_by_pes_offering_only_the_pes(superuser_client, vdab, le_forem):
    from tests.factories import CompanyFactory, JobseekerFactory, ParticipationFactory

    CompanyFactory(name="Bakkerij Peeters")
    kept = ParticipationFactory(jobseeker=JobseekerFactory(pes=le_forem))
    ParticipationFactory(jobseeker=JobseekerFactory(pes=vdab))
    url = reverse("admin:participants_participation_changelist")
    response = superuser_client.get(url, {"pes__id__exact": le_forem.pk})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [kept]
    pes_filter = next(f for f in response.context["cl"].filter_specs if f.field_path == "pes")
    assert sorted(name for _pk, name in pes_filter.lookup_choices) == ["Le Forem", "VDAB"]
