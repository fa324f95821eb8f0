"""Academic conferences on top of engagements' events: the call for abstracts with review, and
the programme timetable (days × rooms) that accepted abstracts flow into."""
