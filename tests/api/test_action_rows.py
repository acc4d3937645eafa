"""The actions' read path from rows (actions.serializers): translated texts read from their
columns as modeltranslation reads them, the related rows by statements compiled once, and a
page counted without the project's join."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from rest_framework.renderers import JSONRenderer

from actions.models import Action
from actions.serializers import (
    FIGURES,
    ByIds,
    TranslatedText,
    action_representations,
    action_values,
    raw_rows,
)
from tests.api.test_queries import fresh, make_actions
from tests.api.test_representation import by_serializer
from tests.factories import ActionFactory, FigureFactory, JobOfferFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partly_translated():
    """Texts in some languages only: missing (None), blank, or given."""
    action = ActionFactory(
        title_en="",
        title_nl="Alleen Nederlands",
        title_fr=None,
        description_en=None,
        description_nl=None,
        description_fr="Seulement en français",
        place_en="Ieper",
        place_nl="",
        place_fr="Ypres",
    )
    FigureFactory(action=action, note_en="", note_nl=None, note_fr="estimé")
    JobOfferFactory(action=action, title_en=None, title_nl="lasser", title_fr="soudeur")
    JobOfferFactory(action=action, title_en="driver", title_nl=None, title_fr=None)
    return action


@pytest.mark.parametrize("language", ["en", "nl", "fr"])
def test_texts_missing_in_a_language_fall_back_as_the_serializer_s(partly_translated, language):
    with translation.override(language):
        expected = JSONRenderer().render(by_serializer(Action.objects.all()))
        built = JSONRenderer().render(action_representations(list(action_values(Action.objects))))
    assert built == expected


@pytest.mark.parametrize(
    ("language", "title", "description", "place"),
    [
        # The fallbacks: the language, then English, Dutch and French.
        ("en", "Alleen Nederlands", "Seulement en français", "Ieper"),
        ("nl", "Alleen Nederlands", "Seulement en français", "Ieper"),
        ("fr", "Alleen Nederlands", "Seulement en français", "Ypres"),
    ],
)
def test_a_translated_text_is_the_first_given_in_the_language_s_order(
    partly_translated, language, title, description, place
):
    (row,) = action_values(Action.objects.all())
    with translation.override(language):
        read = {
            name: TranslatedText.active(Action, name).read(row)
            for name in ("title", "description", "place", "reviews")
        }
    assert read == {"title": title, "description": description, "place": place, "reviews": ""}


def test_a_related_query_is_compiled_once_per_number_of_ids(django_assert_num_queries):
    first, second, third = (FigureFactory(value=n).action for n in (1, 2, 3))
    built: list[list[int]] = []

    def build(ids):
        built.append(ids)
        return raw_rows(Action.objects.filter(pk__in=ids)).values_list("pk", "figures__value")

    query = ByIds(Action, build)
    with django_assert_num_queries(3):
        assert query.rows([first.pk, second.pk]) == [(first.pk, 1), (second.pk, 2)]
        assert query.rows([third.pk, first.pk]) == [(first.pk, 1), (third.pk, 3)]
        assert query.rows([second.pk]) == [(second.pk, 2)]
    # Once for two ids and once for one, with ids no action has.
    assert built == [[-1, -2], [-1]]


def test_a_translated_model_s_rows_must_come_from_raw_rows():
    query = ByIds(Action, lambda ids: Action.objects.filter(pk__in=ids).values_list("pk"))
    with pytest.raises(ValueError, match="raw_rows"):
        query.rows([1])


def test_the_figures_statement_keeps_the_ids_out_of_its_parameters():
    action = FigureFactory(note_en="note").action
    with CaptureQueriesContext(connection) as queries:
        (row,) = FIGURES.rows([action.pk])
    assert row[:2] == (action.pk, action.figures.get().pk)
    assert f"IN ({action.pk})" in queries.captured_queries[0]["sql"]


def test_the_page_is_counted_without_the_project_s_join():
    ActionFactory.create_batch(3)
    with CaptureQueriesContext(connection) as queries:
        assert action_values(Action.objects.all()).count() == 3
    (count,) = queries.captured_queries
    assert "projects_project" not in count["sql"]
    assert "INNER JOIN" not in count["sql"]


def test_pages_of_10_and_100_actions_run_the_same_queries(client_for, manager):
    make_actions(12)
    counts = []
    for size in (10, 100):
        client = fresh(client_for, manager)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/api/v1/actions/?page_size={size}")
        assert len(response.json()["results"]) == min(size, 12)
        counts.append(len(queries.captured_queries))
    # The user's roles, the cache's data version, the count, the page, its six relations.
    assert counts == [10, 10]
