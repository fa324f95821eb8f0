"""Catalog API, read-only reference data: taxonomy terms and clinical trials with their sites,
added to the catalog router by `api.py` (`register`), so under /api/catalog/.

    GET /terms          `q` (code or label words), `scheme`, `parent`; limit/offset
    GET /terms/{id}
    GET /trials         `q` (registry id, title, conditions, interventions), `status`, `phase`,
                        `sponsor`, `site` (organization ids); limit/offset
    GET /trials/{id}    with its sites

No `from __future__ import annotations` here: ninja reads a paginated handler's annotations in
its own module, so they must be objects, not strings.
"""

from django.db.models import Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router
from ninja.pagination import paginate

from luodi.catalog import api_schemas as s
from luodi.catalog import rules
from luodi.catalog.models import Term, Trial, TrialSite
from luodi.errors import Pagination, stable_order


def _words(q: str | None, names: tuple[str, ...]) -> Q:
    cond = Q()
    for word in (q or "").split():
        part = Q()
        for name in names:
            part |= Q(**{f"{name}__icontains": word})
        cond &= part
    return cond


def list_terms(request: HttpRequest, filters: Query[s.TermFilter]) -> QuerySet[Term]:
    qs = rules.terms_visible_to(request.user).filter(
        _words(filters.q, ("code", "label_zh", "label_en"))
    )
    if filters.scheme:
        qs = qs.filter(scheme=filters.scheme)
    if filters.parent is not None:
        qs = qs.filter(parent_id=filters.parent)
    return stable_order(qs)


def get_term(request: HttpRequest, pk: int) -> Term:
    return get_object_or_404(rules.terms_visible_to(request.user), pk=pk)


def _trials(request: HttpRequest) -> QuerySet[Trial]:
    sites = Prefetch("site_links", queryset=TrialSite.objects.select_related("organization"))
    return rules.trials_visible_to(request.user).select_related("sponsor").prefetch_related(sites)


def list_trials(request: HttpRequest, filters: Query[s.TrialFilter]) -> QuerySet[Trial]:
    qs = _trials(request).filter(
        _words(filters.q, ("registry_id", "title", "conditions", "interventions"))
    )
    if filters.status:
        qs = qs.filter(status__iexact=filters.status)
    if filters.phase:
        qs = qs.filter(phase__icontains=filters.phase)
    if filters.sponsor is not None:
        qs = qs.filter(sponsor_id=filters.sponsor)
    if filters.site is not None:
        qs = qs.filter(site_links__organization_id=filters.site)
    return stable_order(qs)


def get_trial(request: HttpRequest, pk: int) -> Trial:
    return get_object_or_404(_trials(request), pk=pk)


def register(router: Router) -> None:
    """Add these endpoints to the catalog router (a nested router would be mis-prefixed in
    the OpenAPI document)."""
    router.get(
        "/terms",
        response=list[s.TermOut],
        summary="List taxonomy terms",
        operation_id="catalog_terms_list",
    )(paginate(Pagination)(list_terms))
    router.get(
        "/terms/{int:pk}",
        response=s.TermOut,
        summary="Get one taxonomy term",
        operation_id="catalog_terms_detail",
    )(get_term)
    router.get(
        "/trials",
        response=list[s.TrialOut],
        summary="List clinical trials with sites",
        operation_id="catalog_trials_list",
    )(paginate(Pagination)(list_trials))
    router.get(
        "/trials/{int:pk}",
        response=s.TrialOut,
        summary="Get one clinical trial",
        operation_id="catalog_trials_detail",
    )(get_trial)
