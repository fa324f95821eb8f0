"""Writes in engagements: one function per change, keyword-only arguments, the actor passed in,
one audit entry each. Split by area: `records` (generic saves, participants, outcomes,
follow-ups), `visits` (itinerary), `events` (agenda, registrations, check-in), `news`."""
