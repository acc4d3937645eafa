"""Who may see and change what: the one place every view, admin and API queryset starts from.

- superuser: everything.
- coordinator: reads all programme data; changes the projects in which its organisation takes
  part (as lead or partner) and their actions and figures; personal data of its own PES only.
- manager: reads all programme data, no personal data.
- partner: reads all programme data; reads and writes jobseekers and participations of its own
  PES only.
- anyone else (no role): nothing.
Personal data (jobseekers, participations) is only ever visible to users whose organisation is
the jobseekers' PES, and to superusers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.db.models import Q, QuerySet

from crossborder.core.vocabulary import OrganisationKind

from .models import Organisation, Project
from .roles import COORDINATOR, PARTNER, ROLES

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser, AnonymousUser

    from actions.models import Action
    from participants.models import Jobseeker, Participation

    User = AbstractUser | AnonymousUser


def _all(app_label: str, model_name: str) -> QuerySet[Any]:
    """Every row of a model of a layer above this one, named rather than imported: the scopes of
    actions and personal data live here, with the roles they follow."""
    return apps.get_model(app_label, model_name)._default_manager.all()


def roles_of(user: User) -> set[str]:
    """The product roles (group names) a user holds; a superuser holds them all."""
    if not user.is_authenticated or not user.is_active:
        return set()
    if user.is_superuser:
        return set(ROLES)
    # Kept on the user object, for the rest of its request, as Django keeps its permissions.
    cached: set[str] | None = user.__dict__.get("_crossborder_roles")
    if cached is None:
        cached = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
        user.__dict__["_crossborder_roles"] = cached
    return cached


def organisation_of(user: User) -> Organisation | None:
    """The organisation the user works for, or None."""
    if not user.is_authenticated:
        return None
    membership = getattr(user, "membership", None)
    return membership.organisation if membership is not None else None


def own_pes(user: User) -> Organisation | None:
    """The PES whose jobseekers the user may see: its organisation, when that is a PES."""
    organisation = organisation_of(user)
    if organisation is not None and organisation.kind == OrganisationKind.PES:
        return organisation
    return None


def can_read_programme(user: User) -> bool:
    """Programme data (everything but personal data) is for users with a role."""
    return bool(roles_of(user))


def can_read_personal_data(user: User) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return bool(roles_of(user) & {COORDINATOR, PARTNER}) and own_pes(user) is not None


def can_write_personal_data(user: User) -> bool:
    return can_read_personal_data(user)


def can_read_special_categories(user: User) -> bool:
    """Special categories of personal data (Jobseeker.SENSITIVE_FIELDS: GDPR article 9) are
    kept only with settings.SPECIAL_CATEGORY_DATA on, and shown, exported, sent or written only
    by a user who may read personal data and holds `participants.view_special_categories`
    (no role grants it: a superuser grants it per user). The setting is read first: off, it
    costs no query."""
    return (
        settings.SPECIAL_CATEGORY_DATA
        and can_read_personal_data(user)
        and user.has_perm("participants.view_special_categories")
    )


def is_coordinator(user: User) -> bool:
    return COORDINATOR in roles_of(user)


def jobseekers_for(user: User, queryset: QuerySet[Jobseeker] | None = None) -> QuerySet[Jobseeker]:
    """The jobseekers a user may see: those of its own PES (all for a superuser)."""
    queryset = _all("participants", "Jobseeker") if queryset is None else queryset
    if user.is_authenticated and user.is_superuser:
        return queryset
    if not can_read_personal_data(user):
        return queryset.none()
    return queryset.filter(pes=own_pes(user))


def participations_for(
    user: User, queryset: QuerySet[Participation] | None = None
) -> QuerySet[Participation]:
    """The participation records a user may see: of its own PES's jobseekers."""
    queryset = _all("participants", "Participation") if queryset is None else queryset
    if user.is_authenticated and user.is_superuser:
        return queryset
    if not can_read_personal_data(user):
        return queryset.none()
    return queryset.filter(pes=own_pes(user))


def projects_editable_by(
    user: User, queryset: QuerySet[Project] | None = None
) -> QuerySet[Project]:
    """Projects a user may change: all for a superuser; for a coordinator, those in which its
    organisation takes part (as lead partner or partner)."""
    queryset = Project.objects.all() if queryset is None else queryset
    if user.is_authenticated and user.is_superuser:
        return queryset
    organisation = organisation_of(user)
    if not is_coordinator(user) or organisation is None:
        return queryset.none()
    return queryset.filter(
        Q(lead_partner=organisation) | Q(memberships__organisation=organisation)
    ).distinct()


def actions_editable_by(user: User, queryset: QuerySet[Action] | None = None) -> QuerySet[Action]:
    """Actions a user may change: those of the projects it may change."""
    queryset = _all("actions", "Action") if queryset is None else queryset
    if user.is_authenticated and user.is_superuser:
        return queryset
    return queryset.filter(project__in=projects_editable_by(user).values("pk"))
