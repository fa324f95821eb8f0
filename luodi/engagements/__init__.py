"""Engagements: visits (考察) with an itinerary, meetings, events (论坛/学术会议/路演) with agenda,
public registration and check-in, news posts, and a calendar with a per-user iCalendar feed.

Layers (as in the other apps): models.py (slim) → domain/ (writes: keyword-only arguments, an
explicit actor, one audit entry each; records, visits, events, news) → queries.py (agenda
conflicts, calendar entries) and rules.py (`*_visible_to(user)` querysets, predicates) →
forms.py → views/ (thin; public.py needs no sign-in) and api.py (+ api_schemas.py).

Pure helpers without database access: itinerary.py (nearest neighbour over haversine distance
with time windows, improved by 2-opt), ics.py (RFC 5545 writer). feeds.py builds the iCalendar
documents. park_fit.py picks a precise inspection's parks from matchmaking's park tab (the one
park-fit scorer) and writes their fit summaries.
Follow-ups owned by a user become pipeline tasks (luodi.pipeline.domain.tasks.create_task).
"""
