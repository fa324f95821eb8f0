"""Partnering at events: one-to-one meetings between participants, proposed from the match
engine and booked when both sides accept in a free slot."""
