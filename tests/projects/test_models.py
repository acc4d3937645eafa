from __future__ import annotations

import datetime

import pytest

from projects.models import BorderOfficePair, PartnerRole, Programme, Project, Target
from tests.factories import (
    IndicatorFactory,
    OfficeFactory,
    OrganisationFactory,
    ProgrammeFactory,
    ProjectFactory,
    ProjectPartnerFactory,
)
from tests.helpers import assert_db_refuses, validation_errors

pytestmark = pytest.mark.django_db


def test_programme_end_before_start_is_refused_with_a_message_naming_the_field():
    programme = Programme(
        slug="p", name="P", starts_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2019, 1, 1)
    )
    assert validation_errors(programme) == {"ends_on": ["May not be before the start date."]}
    assert_db_refuses(programme, "programme_ends_after_start")


def test_project_end_before_start_is_refused():
    project = Project(
        slug="p",
        programme=ProgrammeFactory(),
        name="P",
        starts_on=datetime.date(2018, 1, 1),
        ends_on=datetime.date(2017, 12, 31),
    )
    assert validation_errors(project)["ends_on"] == ["May not be before the start date."]
    assert_db_refuses(project, "project_ends_after_start")


def test_project_without_known_dates_is_valid():
    project = Project(slug="p", programme=ProgrammeFactory(), name_en="P", name="P")
    project.full_clean()


def test_project_has_only_one_lead_partner():
    project = ProjectFactory()
    ProjectPartnerFactory(project=project, role=PartnerRole.LEAD)
    second = ProjectPartnerFactory.build(
        project=project, organisation=OrganisationFactory(), role=PartnerRole.LEAD
    )
    assert validation_errors(second) == {"__all__": ["A project has only one lead partner."]}
    assert_db_refuses(second, "project_single_lead_partner")


def test_an_office_cannot_be_paired_with_itself():
    office = OfficeFactory()
    pair = BorderOfficePair(office=office, partner_office=office)
    assert validation_errors(pair) == {"__all__": ["An office cannot be paired with itself."]}
    assert_db_refuses(pair, "border_office_pair_two_offices")


def test_target_year_must_be_plausible_and_value_not_negative():
    target = Target(
        project=ProjectFactory(), indicator=IndicatorFactory(), kind="final", year=1999, value=-1
    )
    errors = validation_errors(target)
    assert errors["value"] == ["Ensure this value is greater than or equal to 0."]
    target.value = 5
    assert validation_errors(target) == {"__all__": ["The year must lie between 2000 and 2100."]}
    assert_db_refuses(target, "target_year_plausible")


def test_indicator_refuses_unknown_action_types():
    indicator = IndicatorFactory.build(code="RCO85", action_types=["training", "picnic"])
    assert validation_errors(indicator) == {"action_types": ["Unknown action types: picnic."]}


def test_organisation_name_on_a_day_uses_the_former_name():
    pes = OrganisationFactory(slug="pole-emploi", name="France Travail", kind="pes")
    pes.former_names.create(name="Pôle emploi", used_until=datetime.date(2023, 12, 31))
    assert pes.name_on(datetime.date(2017, 6, 6)) == "Pôle emploi"
    assert pes.name_on(datetime.date(2024, 1, 1)) == "France Travail"


def test_work_package_code_is_unique_per_project():
    from tests.factories import WorkPackageFactory

    package = WorkPackageFactory(code="WP3")
    duplicate = WorkPackageFactory.build(project=package.project, code="WP3")
    assert validation_errors(duplicate) == {
        "__all__": ["Work package with this Project and Code already exists."]
    }
    WorkPackageFactory(code="WP3")  # another project may use the same code


def test_an_organisation_keeps_each_former_name_once():
    pes = OrganisationFactory(slug="pole-emploi", kind="pes")
    pes.former_names.create(name="Pôle emploi", used_until=datetime.date(2023, 12, 31))
    duplicate = pes.former_names.model(
        organisation=pes, name="Pôle emploi", used_until=datetime.date(2008, 12, 18)
    )
    assert validation_errors(duplicate) == {
        "__all__": ["Former name with this Organisation and Name already exists."]
    }
