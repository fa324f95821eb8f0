"""People's personal information under PIPL: legal basis, export and anonymisation.

Above catalog, engagements and notifications because one person's data lives in all of them
(a Person, registrations by email, deliveries by email). No models of its own: everything it
changes belongs to the apps below, and every change is an audit entry.
"""
