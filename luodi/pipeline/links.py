"""Visits, meetings and events as a user may see them, for the pipeline pages that show what
links to a project, an agreement or a company request.

Those records belong to the engagements app, which sits above pipeline (a visit links
projects; pipeline knows no visit). So engagements hands its visibility rules to this module
when it loads (`EngagementsConfig.ready`) and pipeline asks here, never importing upward.
The answers are engagements' own `*_visible_to` querysets: one disclosure policy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from django.db.models import QuerySet

from luodi.accounts.rules import AnyUser

Kind = Literal["visit", "meeting", "event"]
Visible = Callable[[AnyUser], QuerySet[Any]]

_VISIBLE: dict[str, Visible] = {}


def provide(kind: Kind, visible: Visible) -> None:
    _VISIBLE[kind] = visible


def visible(kind: Kind, user: AnyUser) -> QuerySet[Any]:
    """The `kind` records `user` may see. Engagements is always installed; a missing
    provider is a wiring error, not an empty list that would hide links silently."""
    try:
        return _VISIBLE[kind](user)
    except KeyError:
        raise LookupError(f"no provider for {kind!r}: is luodi.engagements installed?") from None
