"""The three roles of the product as auth groups, with their model permissions.

- coordinator: reads all programme data; writes actions, figures, work packages and the rest
  of its projects but their identity (scoped elsewhere), and jobseekers of its own PES (scoped
  elsewhere). Master data (organisations, programmes, indicators and targets, a project's
  partners) and a project's identity are changed by superusers only;
- manager: reads everything that is not personal data;
- partner: reads everything that is not personal data, writes its own PES's jobseekers and
  participations (scoped elsewhere).
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Q, QuerySet

COORDINATOR = "coordinator"
MANAGER = "manager"
PARTNER = "partner"
ROLES: tuple[str, ...] = (COORDINATOR, MANAGER, PARTNER)

PROGRAMME_APPS = ("projects", "actions")
PERSONAL_MODELS = ("jobseeker", "participation")
# Changed by superusers only, read by every role: a coordinator who changed Le Forem's kind
# would lock Le Forem's partners out of their own jobseekers; a project's partners decide who
# may change it. Projects are changed in part (ProjectAdmin's identity fields stay read-only).
MASTER_MODELS = (
    "programme",
    "organisation",
    "formername",
    "office",
    "borderofficepair",
    "indicator",
    "target",
    "projectpartner",
)
# Granted by no role: a superuser grants it per user, to those of a partnership whose legal
# basis and the persons' consent cover special categories of personal data (disability, foreign
# background; kept only with settings.SPECIAL_CATEGORY_DATA). Its codename starts with "view_",
# so the personal data's "view" permissions would otherwise include it.
PER_USER_PERMISSIONS = ("view_special_categories",)


def _permissions(
    app_labels: tuple[str, ...], actions: tuple[str, ...], models: tuple[str, ...] = ()
) -> QuerySet[Permission]:
    query = Q(content_type__app_label__in=app_labels) & Q(
        codename__regex=rf"^({'|'.join(actions)})_"
    )
    if models:
        query &= Q(content_type__model__in=models)
    return (
        Permission.objects.filter(query)
        .exclude(content_type__model__startswith="historical")
        .exclude(codename__in=PER_USER_PERMISSIONS)
    )


def ensure_roles() -> dict[str, Group]:
    """Create or update the role groups; safe to run any number of times."""
    everything = ("add", "change", "delete", "view")
    programme_read = _permissions(PROGRAMME_APPS, ("view",)).exclude(
        content_type__model="membership"
    )
    personal_write = _permissions(("participants",), everything, PERSONAL_MODELS)
    programme_write = (
        _permissions(PROGRAMME_APPS, everything)
        .exclude(content_type__model__in=("membership", *MASTER_MODELS))
        .exclude(codename__in=("add_project", "delete_project"))
    )
    wanted = {
        COORDINATOR: list(programme_write)
        + list(_permissions(PROGRAMME_APPS, ("view",), MASTER_MODELS))
        + list(personal_write),
        MANAGER: list(programme_read),
        PARTNER: list(programme_read) + list(personal_write),
    }
    groups = {}
    for name, permissions in wanted.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions)
        groups[name] = group
    return groups
