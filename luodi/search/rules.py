"""Who may ask search for what.

Archived records stay out of results unless staff ask for them (`archived=1` on the page,
`archived=true` on the API); everyone else never sees them, whatever they ask.
"""

from __future__ import annotations

import rules

from luodi.accounts.rules import is_staff

may_include_archived = is_staff

rules.add_perm("search.include_archived", may_include_archived)
