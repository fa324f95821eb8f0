"""Engagement pages, split by area: visits, meetings, events, news, calendar, public."""
