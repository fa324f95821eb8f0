"""Import runs: a confirmed table import too large for one request, done by a job
(`ingest.run_import`, see runs.py). The row is the job's claim, its progress and its result."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RunMode(models.TextChoices):
    GOOD = "good", _("Good rows")
    ALL = "all", _("All or nothing")


class ImportRun(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=16)
    mode = models.CharField(_("mode"), max_length=4, choices=RunMode.choices)
    # The pending import (pending.py) holding the rows and the mapping; removed once the
    # run is done, kept when "all or nothing" refused so the good rows can still be taken.
    pending_token = models.CharField(max_length=64)
    filename = models.CharField(_("file name"), max_length=255, blank=True)
    # The mapping confirmed with the run: the pending import's own may still be edited.
    mapping = models.JSONField(default=list)
    # The confirming request's language, so row reasons read as they would inline.
    language = models.CharField(max_length=16, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    rows = models.PositiveIntegerField(_("rows"), default=0)
    # Rows whose outcome is committed: a run taken again after its worker died resumes here.
    rows_done = models.PositiveIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(_("progress %"), default=0)
    created = models.PositiveIntegerField(_("records created"), default=0)
    updated = models.PositiveIntegerField(_("records updated"), default=0)
    skipped = models.PositiveIntegerField(_("records skipped"), default=0)
    errors = models.JSONField(default=list, blank=True)  # [{"line", "reason"}]
    duplicates = models.JSONField(default=list, blank=True)  # as Summary.as_dict()
    by_kind = models.JSONField(default=dict, blank=True)
    refused = models.BooleanField(default=False)
    # An all-or-nothing run's writes so far (journal.py), committed with each chunk: undone
    # when the run fails, even by a worker that took the run over; emptied when it is done.
    journal = models.JSONField(default=list, blank=True, editable=False)
    failure = models.CharField(_("failure"), max_length=500, blank=True)
    # Who holds the run: a random token per claim, so a worker whose claim was taken over
    # (it was presumed dead) cannot commit its chunk or the result.
    claim = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "created_at"])]
        constraints = [
            # One unfinished run per upload: a second click on "import" finds the first.
            models.UniqueConstraint(
                fields=["pending_token"],
                condition=models.Q(status__in=["queued", "running"]),
                name="ingest_one_unfinished_run_per_upload",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename} ({self.status})"

    @property
    def is_finished(self) -> bool:
        return self.status in (RunStatus.DONE, RunStatus.FAILED)
