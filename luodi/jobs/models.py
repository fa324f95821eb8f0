"""Named leases: at most one holder at a time, across processes and machines.

A lease is taken and renewed by a conditional UPDATE against the database clock, so clock
skew between machines cannot make two holders overlap, and it ends by itself when its
holder dies. Used for "at most one writer per index" (matchmaking.indexing)."""

from __future__ import annotations

from django.db import models


class Lease(models.Model):
    name = models.CharField(max_length=64, primary_key=True)
    holder = models.CharField(max_length=32, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"lease {self.name} held by {self.holder or '—'} until {self.expires_at}"
