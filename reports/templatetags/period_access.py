"""Whether the navigation shows the reporting periods to a user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

from projects.periods import may_see_periods as _may_see_periods

if TYPE_CHECKING:
    from projects.access import User

register = template.Library()


@register.filter
def may_see_periods(user: User) -> bool:
    """Managers and coordinators (and superusers). The roles are read once a request
    (projects.access keeps them on the user), so a page asks the database at most once."""
    return _may_see_periods(user)
