"""After an event: a short survey to its attendees, and what they answered."""
