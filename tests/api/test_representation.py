"""The actions' read path builds their JSON from rows (action_representations): it must be what
ActionSerializer gives from model instances, byte for byte, in every language."""

from __future__ import annotations

import pytest
from django.db.models import Prefetch
from django.utils import translation
from rest_framework.renderers import JSONRenderer

from actions.models import Action, ActionEmployer, Figure, JobOffer
from actions.serializers import ActionSerializer, action_representations, action_values
from tests.factories import ActionFactory

pytestmark = pytest.mark.django_db


def by_serializer(actions):
    """The ModelSerializer's output, with the prefetches the API used before the fast path."""
    actions = actions.select_related("project", "work_package", "sector").prefetch_related(
        "offices",
        "organisers",
        "certificates",
        Prefetch("figures", queryset=Figure.objects.select_related("pes")),
        Prefetch("employers", queryset=ActionEmployer.objects.select_related("organisation")),
        Prefetch("job_offers", queryset=JobOffer.objects.select_related("employer")),
    )
    return ActionSerializer(actions, many=True).data


@pytest.mark.parametrize("language", ["en", "nl", "fr"])
def test_the_demo_s_actions_are_what_the_serializer_gives(demo, language):
    with translation.override(language):
        expected = JSONRenderer().render(by_serializer(Action.objects.all()))
        built = JSONRenderer().render(action_representations(list(action_values(Action.objects))))
    assert built == expected
    assert Action.objects.count() > 20


def test_an_action_with_no_translation_nor_related_objects(db):
    ActionFactory(title="Only English")
    with translation.override("fr"):
        expected = JSONRenderer().render(by_serializer(Action.objects.all()))
        built = JSONRenderer().render(action_representations(list(action_values(Action.objects))))
    assert built == expected
    assert b'"title":"Only English"' in built


def test_no_rows_need_no_queries(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert action_representations([]) == []
