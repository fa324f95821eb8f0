"""Joining Luodi: someone applies for an account (/apply/), staff approve or reject, and an
approval creates the applicant's user, membership and, if new, the organization in the catalog.

Above accounts and catalog because approval writes to both; the application itself is an
accounts model (AccountApplication), kept where its migrations are.
"""
