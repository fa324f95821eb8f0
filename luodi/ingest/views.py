"""Import pages: upload → column mapping → dry-run report → import → result (or, for a file
of more than LUODI_IMPORT_INLINE_ROWS rows, a queued run with its own page); ClinicalTrials.gov
upload; merge two organizations; export. One URL answers htmx with the fragment it swaps.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.catalog.exports import export_rows
from luodi.catalog.models import Organization
from luodi.htmx import is_htmx
from luodi.ingest import dedup, domain, export, pending, runs, tables
from luodi.ingest.fields import KIND_LABELS
from luodi.ingest.forms import CtgovForm, MappingForm, MergeForm, UploadForm, live_organizations
from luodi.ingest.merge import MergeError, link_counts
from luodi.ingest.models import ImportRun
from luodi.ingest.rules import can_import, import_runs_visible_to, may_import_kind


def _pending(request: HttpRequest, token: str) -> pending.Pending:
    """The user's pending import, re-checking that they may still import its kind."""
    user = request_user(request)
    item = pending.load(token, user.pk)
    if item is None:
        raise Http404
    if not may_import_kind(user, item.kind):
        raise PermissionDenied
    return item


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not can_import(user):
        raise PermissionDenied
    # ?kind=figures: a link from the page of what is imported preselects its kind.
    initial = {"kind": request.GET["kind"]} if "kind" in request.GET else None
    form = UploadForm(request.POST or None, request.FILES or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid() and form.table is not None:
        kind = form.cleaned_data["kind"]
        item = pending.save(
            user_id=user.pk,
            kind=kind,
            table=form.table,
            mapping=tables.suggest_mapping(kind, form.table),
        )
        return redirect("ingest:mapping", token=item.token)
    status = 400 if form.errors else 200
    recent = import_runs_visible_to(user)[:5]
    return render(request, "ingest/upload.html", {"form": form, "runs": recent}, status=status)


@require_http_methods(["GET", "POST"])
def mapping(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the mapping form. POST: save the mapping and show the dry-run report."""
    item = _pending(request, token)
    form = MappingForm(
        request.POST or None, kind=item.kind, headers=item.headers, mapping=item.mapping
    )
    context: dict[str, object] = {
        "item": item,
        "form": form,
        "preview": item.rows[:5],
        "kind_label": _kind_label(item),
    }
    if request.method == "POST":
        if not form.is_valid():
            template = "ingest/_mapping_form.html" if is_htmx(request) else "ingest/mapping.html"
            return render(request, template, context, status=400)
        item.mapping = form.mapping()
        pending.update(item)
        context["summary"] = domain.import_table(
            actor=request_user(request),
            kind=item.kind,
            table=item.table,
            mapping=item.mapping,
            dry_run=True,
        )
        template = "ingest/_report.html" if is_htmx(request) else "ingest/mapping.html"
        return render(request, template, context)
    return render(request, "ingest/mapping.html", context)


def _kind_label(item: pending.Pending) -> str:
    return str(KIND_LABELS.get(item.kind, item.kind))


@require_POST
def run(request: HttpRequest, token: str) -> HttpResponse:
    item = _pending(request, token)
    mode: domain.Mode = "all" if request.POST.get("mode") == "all" else "good"
    if tables.check_mapping(item.kind, item.mapping):
        return redirect("ingest:mapping", token=token)
    if runs.runs_as_job(item):
        job = runs.queue_import(
            actor=request_user(request), item=item, mode=mode, ip=audit.client_ip(request)
        )
        target = reverse("ingest:import-run", args=[job.pk])
        # The form was posted by htmx into the step area; the run has a page of its own.
        return HttpResponseClientRedirect(target) if is_htmx(request) else redirect(target)
    summary = domain.import_table(
        actor=request_user(request),
        kind=item.kind,
        table=item.table,
        mapping=item.mapping,
        mode=mode,
        ip=audit.client_ip(request),
    )
    if not summary.refused:
        pending.discard(token)
    context = {"item": item, "summary": summary, "mode": mode, "kind_label": _kind_label(item)}
    template = "ingest/_result.html" if is_htmx(request) else "ingest/result.html"
    return render(request, template, context)


def _run_context(job: ImportRun) -> dict[str, object]:
    # `item` is what the refused-result form needs: the upload's token, to take the good rows.
    return {
        "run": job,
        "summary": runs.summary_of(job),
        "item": {"token": job.pending_token, "filename": job.filename},
        "kind_label": str(KIND_LABELS.get(job.kind, job.kind)),
    }


@require_GET
def import_run(request: HttpRequest, pk: int) -> HttpResponse:
    """A queued import: the page, or (htmx polling) the fragment that replaces itself
    every second until the run is done or failed."""
    job = get_object_or_404(import_runs_visible_to(request_user(request)), pk=pk)
    template = "ingest/_run.html" if is_htmx(request) else "ingest/run.html"
    return render(request, template, _run_context(job))


@require_POST
def import_run_resume(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    job = get_object_or_404(import_runs_visible_to(user), pk=pk)
    if not runs.resume(actor=user, run=job):
        messages.error(request, _("This import cannot be started again."))
    return redirect("ingest:import-run", pk=job.pk)


@require_http_methods(["GET", "POST"])
def ctgov(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if not user.has_perm("ingest.import_ctgov"):
        raise PermissionDenied
    form = CtgovForm(request.POST or None, request.FILES or None)
    summary = None
    if request.method == "POST" and form.is_valid():
        try:
            summary = domain.import_ctgov(
                actor=user,
                text=form.cleaned_data["file"],
                dry_run=form.cleaned_data["dry_run"],
                ip=audit.client_ip(request),
            )
        except domain.ctgov.CtgovError as exc:
            form.add_error("file", str(exc))
    status = 400 if form.errors else 200
    return render(request, "ingest/ctgov.html", {"form": form, "summary": summary}, status=status)


def _suggested_pairs(limit: int = 20) -> list[tuple[Organization, Organization]]:
    """Live organizations sharing a name key: the likeliest duplicates."""
    groups: dict[str, list[int]] = {}
    for org_id, name_zh, name_en in live_organizations().values_list("id", "name_zh", "name_en"):
        for name in {name_zh, name_en} - {""}:
            ids = groups.setdefault(dedup.name_key(name), [])
            if org_id not in ids:
                ids.append(org_id)
    pairs = [(ids[0], other) for ids in groups.values() if len(ids) > 1 for other in ids[1:]]
    pairs = sorted(set(pairs))[:limit]
    orgs = Organization.objects.in_bulk({i for pair in pairs for i in pair})
    return [(orgs[a], orgs[b]) for a, b in pairs]


def _merge_preview(form: MergeForm) -> dict[str, object] | None:
    if not (form.is_bound and form.is_valid()):
        return None
    a, b = form.cleaned_data["target"], form.cleaned_data["source"]
    a_links, b_links = link_counts(a), link_counts(b)
    rows = [(k, a_links.get(k, 0), b_links.get(k, 0)) for k in sorted({*a_links, *b_links})]
    return {"a": a, "b": b, "rows": rows}


@require_http_methods(["GET", "POST"])
def merge(request: HttpRequest) -> HttpResponse:
    """GET: search, pick A and B, preview side by side. POST: merge B into A."""
    user = request_user(request)
    if not user.has_perm("ingest.merge_organization"):
        raise PermissionDenied
    picked = request.POST if request.method == "POST" else request.GET
    form = MergeForm(picked if {"target", "source"} <= set(picked) else None)
    if request.method == "POST" and form.is_valid():
        target, source = form.cleaned_data["target"], form.cleaned_data["source"]
        try:
            domain.merge_organizations(
                actor=user, target=target, source=source, ip=audit.client_ip(request)
            )
        except MergeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("“%(b)s” was merged into “%(a)s”.") % {"a": target, "b": source}
            )
            return redirect("ingest:merge")
    query = request.GET.get("q", "").strip()
    form.limit_choices(query)
    preview = _merge_preview(form)
    context = {
        "form": form,
        "query": query,
        "preview": preview,
        "pairs": [] if preview else _suggested_pairs(),
    }
    return render(
        request, "ingest/merge.html", context, status=400 if request.method == "POST" else 200
    )


def export_kind(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """Download every record of a kind that the user may see; catalog lists call
    export_rows with their own filtered querysets."""
    if kind not in export.COLUMNS or fmt not in ("xlsx", "csv"):
        raise Http404
    if not request.user.has_perm("ingest.export"):
        raise PermissionDenied
    qs = export.queryset_for(kind, request.user).order_by("pk")
    return export_rows(qs, export.COLUMNS[kind], fmt, filename=kind)
