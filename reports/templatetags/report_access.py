"""What the navigation shows a user: links to the pages its role may read."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

from reports.quality import may_read_quality as _may_read_quality

if TYPE_CHECKING:
    from projects.access import User

register = template.Library()


@register.filter
def may_read_quality(user: User) -> bool:
    """Whether the data-quality list is for this user. Its roles are read once a request
    (projects.access keeps them on the user), so a page asks the database at most once."""
    return _may_read_quality(user)
