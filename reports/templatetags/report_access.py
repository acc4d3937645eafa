"""What the navigation shows a user: links to the pages its role may read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

from projects.access import can_read_personal_data
from projects.periods import may_see_periods as _may_see_periods
from reports.quality import may_read_quality as _may_read_quality

if TYPE_CHECKING:
    from projects.access import User

register = template.Library()


@register.filter
def may_read_quality(user: User) -> bool:
    """Whether the data-quality list is for this user. Its roles are read once a request
    (projects.access keeps them on the user), so a page asks the database at most once."""
    return _may_read_quality(user)


@register.filter
def may_see_periods(user: User) -> bool:
    """Whether the reporting periods are for this user: managers and coordinators (and
    superusers), their roles read once a request as above."""
    return _may_see_periods(user)


@register.filter
def may_follow_up(user: User) -> bool:
    """Whether the follow-ups' worklist is for this user: those who may read their PES's
    personal data (and superusers)."""
    return can_read_personal_data(user)
