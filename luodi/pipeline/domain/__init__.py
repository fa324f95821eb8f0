"""Pipeline writes: one function per change, keyword-only arguments, the actor passed in,
one audit entry each. Views and the API call these; nothing else writes pipeline rows."""
