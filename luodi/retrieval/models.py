"""The index queue and the published generations of the in-process backend."""

from __future__ import annotations

from django.db import models


class IndexRequest(models.Model):
    """A record of `kind` to re-read into its index (`object_id` 0: rebuild the kind).

    Applied in id order by the kind's one writer (indexing.py); the row id, a database
    sequence, is the order of changes: an apply always re-reads the record's current row,
    so an older state can never overwrite a newer one, whatever the machines' clocks say."""

    kind = models.CharField(max_length=16)
    object_id = models.PositiveBigIntegerField()
    requested_at = models.DateTimeField(auto_now_add=True)
    claim = models.CharField(max_length=32, blank=True, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["kind", "done_at"], name="indexrequest_waiting")]

    def __str__(self) -> str:
        return f"index {self.kind}:{self.object_id}"


class IndexGeneration(models.Model):
    """One published generation of an in-process index (a tar of MatchingIndex files in
    the default storage). The newest version of a kind is the one every process serves;
    the unique (kind, version) pair is the fence that makes a late or duplicate writer
    lose instead of overwriting (`generations.publish`)."""

    kind = models.CharField(max_length=16)
    version = models.PositiveIntegerField()
    path = models.CharField(max_length=255)  # name in the default storage
    documents = models.PositiveIntegerField(default=0)
    encoder = models.CharField(max_length=32, blank=True)  # "" = lexical only
    # None: a whole index. Otherwise a delta, the documents one index job changed: served by
    # replaying it, and every delta between, on the whole generation of this version.
    delta_of = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="retrieval_generation_version")
        ]
        ordering = ["kind", "-version"]

    def __str__(self) -> str:
        return f"{self.kind} v{self.version}"

    @property
    def chain(self) -> int:
        """The version of the whole generation this one is, or is a delta on."""
        return self.version if self.delta_of is None else self.delta_of
