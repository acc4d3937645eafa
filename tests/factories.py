"""factory_boy factories: each test builds the little data it depends on."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model

from actions.models import Action, ActionEmployer, Certificate, Figure, JobOffer, Sector
from crossborder.core.metrics import Metric
from crossborder.core.periods import semester_of
from crossborder.core.vocabulary import (
    ActionStatus,
    ActionType,
    OrganisationKind,
    ParticipationStatus,
)
from participants.models import Jobseeker, Participation
from projects.models import (
    Indicator,
    IndicatorSource,
    IndicatorUnit,
    Membership,
    Office,
    Organisation,
    Programme,
    Project,
    ProjectPartner,
    Target,
    TargetKind,
    WorkPackage,
)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ["slug"]

    slug = "interreg-v-fwvl"
    name = "Interreg V France-Wallonie-Vlaanderen"
    starts_on = datetime.date(2014, 1, 1)
    ends_on = datetime.date(2020, 12, 31)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"organisation-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())
    kind = OrganisationKind.PARTNER


class PesFactory(OrganisationFactory):
    kind = OrganisationKind.PES
    slug = factory.Iterator(["vdab", "le-forem", "pole-emploi"])
    name = factory.LazyAttribute(
        lambda o: {"vdab": "VDAB", "le-forem": "Le Forem", "pole-emploi": "France Travail"}.get(
            o.slug, o.slug
        )
    )


class CompanyFactory(OrganisationFactory):
    kind = OrganisationKind.COMPANY
    slug = factory.Sequence(lambda n: f"company-{n}")


class OfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Office

    slug = factory.Sequence(lambda n: f"office-{n}")
    organisation = factory.SubFactory(PesFactory, slug="vdab")
    name = factory.Sequence(lambda n: f"Office {n}")
    city = "Kortrijk"


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"project-{n}")
    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Project {n}")
    starts_on = datetime.date(2016, 1, 1)


class ProjectPartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectPartner

    project = factory.SubFactory(ProjectFactory)
    organisation = factory.SubFactory(OrganisationFactory)


class WorkPackageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkPackage

    project = factory.SubFactory(ProjectFactory)
    code = factory.Sequence(lambda n: f"WP{n}")
    name = "Development of cross-border trainings"


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ["slug"]

    slug = "agro-food"
    name = "agro-food"


class CertificateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certificate
        django_get_or_create = ["slug"]

    slug = "caces"
    name = "CACES"


class ActionFactory(factory.django.DjangoModelFactory):
    """A completed jobdating on a given day; year and semester follow the start date."""

    class Meta:
        model = Action

    project = factory.SubFactory(ProjectFactory)
    action_type = ActionType.JOBDATING
    title = factory.Sequence(lambda n: f"Action {n}")
    status = ActionStatus.COMPLETED
    start_date = datetime.date(2017, 11, 28)
    year = factory.LazyAttribute(lambda o: o.start_date.year if o.start_date else 2017)
    semester = factory.LazyAttribute(lambda o: semester_of(o.start_date) if o.start_date else "")


class CohortFactory(ActionFactory):
    action_type = ActionType.GUIDANCE_COHORT
    start_date = datetime.date(2017, 4, 27)
    end_date = datetime.date(2017, 7, 27)
    capacity = 12


class FigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Figure

    action = factory.SubFactory(ActionFactory)
    metric = Metric.STARTS
    pes = factory.SubFactory(PesFactory, slug="vdab")
    value = 1


class ActionEmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionEmployer

    action = factory.SubFactory(ActionFactory)
    organisation = factory.SubFactory(CompanyFactory)


class JobOfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = JobOffer

    action = factory.SubFactory(ActionFactory)
    title = "line operator"


class JobseekerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Jobseeker

    pes = factory.SubFactory(PesFactory, slug="vdab")
    external_ref = factory.Sequence(lambda n: f"REF{n:06d}")
    given_name = factory.Faker("first_name")
    family_name = factory.Faker("last_name")
    birth_year = 1990


class ParticipationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participation

    action = factory.SubFactory(ActionFactory)
    jobseeker = factory.SubFactory(JobseekerFactory)
    status = ParticipationStatus.STARTED


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator
        django_get_or_create = ["code"]

    code = "RCO81"
    name = "Participations in joint actions across borders"
    unit = IndicatorUnit.PARTICIPATIONS
    source = IndicatorSource.STARTS


class TargetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Target

    project = factory.SubFactory(ProjectFactory)
    indicator = factory.SubFactory(IndicatorFactory)
    kind = TargetKind.FINAL
    year = 2020
    value = 100


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("secret-password")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(PesFactory, slug="vdab")
