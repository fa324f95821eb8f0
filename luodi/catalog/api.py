"""Catalog API: organizations, achievements, clinical needs, people and carriers (read and
write), taxonomy terms and clinical trials (read-only). Mounted at /api/catalog/.

The editable types are described once in `SPECS` and get the same endpoints, like the web
views (`views.py`) get them from `resources.RESOURCES`; every path is written out in `ROUTES`
(grep finds "/achievements/{int:pk}/approve"), each action's handler is built once:

    GET    /{slug}                  list: the web list's filters + `q`, limit/offset
    POST   /{slug}                  create (201); a partner's record waits for review
    GET    /{slug}/{id}             detail; 404 when not visible (existence is not confirmed)
    PATCH  /{slug}/{id}             change only the fields sent; 403 without the permission;
                                    a partner's change of a published record answers 202
                                    with the revision that waits for review (api_revisions)
    POST   /{slug}/{id}/archive     and /restore
    POST   /{slug}/{id}/approve     and /return (staff; reviewed types only)
    POST   /{slug}/{id}/resubmit    a returned (or draft) record back to review

Rules:
- Review states move only as `review.py`'s table says; a move it does not list is a 409
  `illegal_transition`.
- Optimistic concurrency (luodi/concurrency.py): every record has a `version` (also the ETag of
  GET and PATCH answers). A PATCH that sends the version it loaded (`version`, or If-Match)
  after the record moved on saves nothing and answers 409 `conflict`: `fields.version` is the
  current version and each field sent that someone else changed lists its saved value.
- Every read starts from the `*_visible_to(user)` queryset of `rules.py`.
- Writes are validated by the web ModelForms and saved through `domain.py`, so the web and the
  API validate, audit and review identically.
- Withheld fields are what the one disclosure policy (`disclosure.py`) says: an achievement's
  dossier is null (`dossier_visible: false`) unless the user has `catalog.view_dossier`; a
  response that discloses a non-public dossier is audited as `achievement.view_dossier`, like
  the web detail page. A person's contact details are null unless `catalog.view_contact`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import translation
from ninja import Query, Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status

from luodi.accounts import audit
from luodi.accounts.request_user import request_user
from luodi.catalog import api_reference, api_revisions, changes, disclosure, domain
from luodi.catalog import api_schemas as s
from luodi.catalog.api_revisions import illegal
from luodi.catalog.choices import Disclosure
from luodi.catalog.forms import ListField, ReturnForm
from luodi.catalog.resources import RESOURCES, Resource
from luodi.catalog.review import IllegalTransition
from luodi.concurrency import Conflict, conflict_error, differing, etag, expected_from
from luodi.errors import Pagination, invalid, require_perm, stable_order

router = Router(tags=["catalog"])

DOSSIER_FLAG = "dossier_visible"
CONTACT_FLAG = "contact_visible"

Prepare = Callable[[HttpRequest, list[Any]], None]


# -- what each response may show --------------------------------------------------------------


def _prepare_achievements(request: HttpRequest, items: list[Any]) -> None:
    """Ask the disclosure policy per object whether its dossier is shown (the schema nulls it
    by the flag); audit each non-public one shown."""
    user = request_user(request)
    for obj in items:
        visible = disclosure.may_see(user, obj, disclosure.DOSSIER)
        setattr(obj, DOSSIER_FLAG, visible)
        if visible and obj.disclosure != Disclosure.PUBLIC:
            audit.record(
                actor=user,
                verb="achievement.view_dossier",
                target=obj,
                ip=audit.client_ip(request),
            )


def _prepare_people(request: HttpRequest, items: list[Any]) -> None:
    user = request_user(request)
    for obj in items:
        setattr(obj, CONTACT_FLAG, disclosure.may_see(user, obj, disclosure.CONTACT))


def _prepare_nothing(request: HttpRequest, items: list[Any]) -> None:
    return None


class CatalogPagination(Pagination):
    """Limit/offset pagination that hands the page's objects to a `prepare` hook, so
    per-object permissions (and dossier audits) apply to exactly the objects returned."""

    def __init__(self, *, prepare: Prepare = _prepare_nothing, **kwargs: Any) -> None:
        self.prepare = prepare
        super().__init__(**kwargs)

    def paginate_queryset(
        self,
        queryset: QuerySet[Any],
        pagination: LimitOffsetPagination.Input,
        request: HttpRequest,
        **params: Any,
    ) -> dict[str, Any]:
        page: dict[str, Any] = super().paginate_queryset(queryset, pagination, request, **params)
        items = list(page[self.items_attribute])
        self.prepare(request, items)
        page[self.items_attribute] = items
        return page


# -- the editable types ---------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    res: Resource
    out: type[Schema]
    create_in: type[Schema]
    patch_in: type[Schema]
    filter_in: type[Schema]
    select: tuple[str, ...] = ()
    prefetch: tuple[str, ...] = ()
    prepare: Prepare = _prepare_nothing

    @property
    def slug(self) -> str:
        return self.res.slug

    def labels(self) -> tuple[str, str]:
        """E.g. ("an organization", "organizations"), in English whatever language is active
        at import, so the OpenAPI text is stable."""
        with translation.override("en"):
            one = str(self.res.model._meta.verbose_name)
            many = str(self.res.model._meta.verbose_name_plural)
        return f"{'an' if one[0] in 'aeiou' else 'a'} {one}", many

    def with_related(self, qs: QuerySet[Any]) -> QuerySet[Any]:
        return qs.select_related(*self.select).prefetch_related(*self.prefetch)

    def visible(self, request: HttpRequest) -> QuerySet[Any]:
        return self.with_related(self.res.visible(request.user))

    def get_visible(self, request: HttpRequest, pk: int) -> Any:
        """The object if the user may see it; 404 otherwise, so existence is never confirmed."""
        return get_object_or_404(self.visible(request), pk=pk)

    def present(self, request: HttpRequest, obj: Model) -> Any:
        """A freshly loaded copy of `obj` ready for the output schema."""
        fresh = self.with_related(self.res.model._default_manager.all()).get(pk=obj.pk)
        self.prepare(request, [fresh])
        return fresh


SPECS: list[Spec] = [
    Spec(
        res=RESOURCES["organizations"],
        out=s.OrganizationOut,
        create_in=s.OrganizationCreate,
        patch_in=s.OrganizationPatch,
        filter_in=s.OrganizationFilter,
        select=("park", "clinical_center", "company"),
        prefetch=(
            "focus_areas",
            "park__industry_focus",
            "clinical_center__specialties",
            "company__sectors",
        ),
    ),
    Spec(
        res=RESOURCES["achievements"],
        out=s.AchievementOut,
        create_in=s.AchievementCreate,
        patch_in=s.AchievementPatch,
        filter_in=s.AchievementFilter,
        select=("owner",),
        prefetch=("therapeutic_areas", "technology_fields", "inventors"),
        prepare=_prepare_achievements,
    ),
    Spec(
        res=RESOURCES["needs"],
        out=s.ClinicalNeedOut,
        create_in=s.ClinicalNeedCreate,
        patch_in=s.ClinicalNeedPatch,
        filter_in=s.ClinicalNeedFilter,
        select=("organization", "specialty", "clinician"),
    ),
    Spec(
        res=RESOURCES["people"],
        out=s.PersonOut,
        create_in=s.PersonCreate,
        patch_in=s.PersonPatch,
        filter_in=s.PersonFilter,
        select=("organization",),
        prepare=_prepare_people,
    ),
    Spec(
        res=RESOURCES["carriers"],
        out=s.CarrierOut,
        create_in=s.CarrierCreate,
        patch_in=s.CarrierPatch,
        filter_in=s.CarrierFilter,
        select=("park",),
    ),
]


# -- shared steps -----------------------------------------------------------------------------


def _filtered(spec: Spec, request: HttpRequest, filters: Schema) -> QuerySet[Any]:
    """The web list's filter form applied to the visible queryset (archived hidden unless
    `show_archived`); an invalid filter value is a 422, not an empty list."""
    form = spec.res.filter_form(filters.model_dump(exclude_none=True))
    if not form.is_valid():
        raise invalid(form.errors)
    return stable_order(form.apply(spec.visible(request)))


def _form_data(form_class: type[django_forms.ModelForm], data: dict[str, Any]) -> dict[str, Any]:
    """JSON values as the web form expects them: list fields edited as text there."""
    out = dict(data)
    for name, value in data.items():
        if isinstance(form_class.base_fields.get(name), ListField) and isinstance(value, list):
            out[name] = "; ".join(str(v) for v in value)
    return out


def _current_form(spec: Spec, request: HttpRequest, obj: Model) -> django_forms.ModelForm:
    """The edit form on `obj` as its editor sees it now: a partner editing a published record
    continues the changes already waiting for review."""
    user = request.user
    initial = changes.initial_of(changes.proposal_for(user, obj))
    return spec.res.form(instance=obj, user=user, initial=initial)


def _save(
    spec: Spec,
    request: HttpRequest,
    obj: Model | None,
    sent: dict[str, Any],
    expected: int | None = None,
) -> domain.Saved:
    """Validate with the web form, save through domain.save_record; 422 on invalid input,
    409 when `expected` is not the record's version any more.

    On update only the fields sent change: the form is filled with the current values first.
    """
    user = request_user(request)
    form_class = spec.res.form
    names: list[str] = list(form_class._meta.fields or [])
    data = _form_data(form_class, sent)
    before: dict[str, Any] | None = None
    if obj is not None:
        current = _current_form(spec, request, obj)
        base = {n: current.fields[n].prepare_value(current.initial.get(n)) for n in names}
        data = {**base, **data}
        # Snapshot before validation: ModelForm validation writes into the instance.
        before = {n: getattr(obj, n) for n in names if n not in spec.res.m2m}
    form = form_class(data=data, instance=obj, user=user)
    if not form.is_valid():
        raise invalid(form.errors)
    instance = form.save(commit=False)
    changed = [n for n in names if obj is None or n in sent]
    m2m = {n: form.cleaned_data[n] for n in spec.res.m2m if n in changed}
    plain = [n for n in changed if n not in spec.res.m2m]
    try:
        return domain.save_record(
            actor=user,
            instance=instance,
            fields=plain,
            m2m=m2m,
            before=before,
            expected_version=expected,
            ip=audit.client_ip(request),
        )
    except Conflict as exc:
        assert obj is not None  # a new record has no version to conflict with
        now = _current_form(spec, request, spec.res.model._default_manager.get(pk=obj.pk))
        raise conflict_error(exc, differing(form, now, names=sent)) from None


# -- endpoint factory ---------------------------------------------------------------------------


def _typed(func: Callable[..., Any], **annotations: Any) -> Callable[..., Any]:
    """Give a handler real (not string) parameter annotations: ninja reads them, and a
    paginated handler's string annotations would be resolved in ninja's module, not here."""
    func.__annotations__.update(annotations)
    return func


# Generic aliases built at run time from a spec's schemas (not static type expressions).
_List: Any = list
_Query: Any = Query


# Every record endpoint of the catalog, written out so that a path can be found by grep. The
# handlers are shared by the five kinds (`_BUILD`, one per action); the kind is the path's
# first segment, and a reviewed kind also approves, returns and resubmits. `_register_all`
# refuses a table that gives a kind more or fewer actions than that.
ROUTES: tuple[tuple[str, str, str], ...] = (
    ("GET", "/organizations", "list"),
    ("POST", "/organizations", "create"),
    ("GET", "/organizations/{int:pk}", "detail"),
    ("PATCH", "/organizations/{int:pk}", "update"),
    ("POST", "/organizations/{int:pk}/archive", "archive"),
    ("POST", "/organizations/{int:pk}/restore", "restore"),
    ("POST", "/organizations/{int:pk}/approve", "approve"),
    ("POST", "/organizations/{int:pk}/return", "return"),
    ("POST", "/organizations/{int:pk}/resubmit", "resubmit"),
    ("GET", "/achievements", "list"),
    ("POST", "/achievements", "create"),
    ("GET", "/achievements/{int:pk}", "detail"),
    ("PATCH", "/achievements/{int:pk}", "update"),
    ("POST", "/achievements/{int:pk}/archive", "archive"),
    ("POST", "/achievements/{int:pk}/restore", "restore"),
    ("POST", "/achievements/{int:pk}/approve", "approve"),
    ("POST", "/achievements/{int:pk}/return", "return"),
    ("POST", "/achievements/{int:pk}/resubmit", "resubmit"),
    ("GET", "/needs", "list"),
    ("POST", "/needs", "create"),
    ("GET", "/needs/{int:pk}", "detail"),
    ("PATCH", "/needs/{int:pk}", "update"),
    ("POST", "/needs/{int:pk}/archive", "archive"),
    ("POST", "/needs/{int:pk}/restore", "restore"),
    ("POST", "/needs/{int:pk}/approve", "approve"),
    ("POST", "/needs/{int:pk}/return", "return"),
    ("POST", "/needs/{int:pk}/resubmit", "resubmit"),
    ("GET", "/people", "list"),
    ("POST", "/people", "create"),
    ("GET", "/people/{int:pk}", "detail"),
    ("PATCH", "/people/{int:pk}", "update"),
    ("POST", "/people/{int:pk}/archive", "archive"),
    ("POST", "/people/{int:pk}/restore", "restore"),
    ("POST", "/people/{int:pk}/approve", "approve"),
    ("POST", "/people/{int:pk}/return", "return"),
    ("POST", "/people/{int:pk}/resubmit", "resubmit"),
    ("GET", "/carriers", "list"),
    ("POST", "/carriers", "create"),
    ("GET", "/carriers/{int:pk}", "detail"),
    ("PATCH", "/carriers/{int:pk}", "update"),
    ("POST", "/carriers/{int:pk}/archive", "archive"),
    ("POST", "/carriers/{int:pk}/restore", "restore"),
)

EVERY_KIND = ("list", "create", "detail", "update", "archive", "restore")
REVIEWED_ONLY = ("approve", "return", "resubmit")

# What an action's builder gives: the handler and the operation's response/summary/description.
Built = tuple[Callable[..., Any], dict[str, Any]]


def _build_list(spec: Spec) -> Built:
    def list_items(request: HttpRequest, filters: Any) -> QuerySet[Any]:
        return _filtered(spec, request, filters)

    handler = paginate(CatalogPagination, prepare=spec.prepare)(
        _typed(list_items, filters=_Query[spec.filter_in])
    )
    return handler, {"response": _List[spec.out], "summary": f"List {spec.labels()[1]}"}


def _build_detail(spec: Spec) -> Built:
    def detail(request: HttpRequest, pk: int, response: HttpResponse) -> Any:
        obj = spec.get_visible(request, pk)
        spec.prepare(request, [obj])
        response["ETag"] = etag(obj.version)
        return obj

    return detail, {"response": spec.out, "summary": f"Get {spec.labels()[0]}"}


def _build_create(spec: Spec) -> Built:
    def create(request: HttpRequest, payload: Any) -> Status[Any]:
        require_perm(request, "catalog.add_record")
        saved = _save(spec, request, None, payload.model_dump(exclude_unset=True))
        return Status(201, spec.present(request, saved.record))

    return _typed(create, payload=spec.create_in), {
        "response": {201: spec.out},
        "summary": f"Create {spec.labels()[0]}",
        "description": (
            "A partner's record waits for staff review (status `pending`); staff's is published."
            if spec.res.reviewed
            else None
        ),
    }


def _build_update(spec: Spec) -> Built:
    def update(request: HttpRequest, pk: int, payload: Any, response: HttpResponse) -> Any:
        obj = spec.get_visible(request, pk)
        require_perm(request, f"catalog.change_{spec.res.perm_name}", obj)
        sent = payload.model_dump(exclude_unset=True)
        expected = expected_from(request, sent)
        saved = _save(spec, request, obj, sent, expected) if sent else domain.Saved(obj)
        if saved.revision is not None:
            return Status(202, saved.revision)
        out = spec.present(request, saved.record)
        response["ETag"] = etag(out.version)
        return out

    return _typed(update, payload=spec.patch_in), {
        "response": {200: spec.out, 202: s.RevisionOut},
        "summary": f"Change {spec.labels()[0]} (only the fields sent)",
        "description": (
            "Send the `version` you loaded (or If-Match): a change saved meanwhile is a 409 "
            "`conflict`, never silently overwritten."
            + (
                " A partner's change of a published record is not applied: it waits for "
                "staff review and the answer is 202 with the revision."
                if spec.res.reviewed
                else ""
            )
        ),
    }


def _build_archive(spec: Spec) -> Built:
    def archive(request: HttpRequest, pk: int) -> Any:
        obj = spec.get_visible(request, pk)
        require_perm(request, f"catalog.archive_{spec.res.perm_name}", obj)
        if obj.archived_at is None:
            domain.archive(actor=request_user(request), instance=obj, ip=audit.client_ip(request))
        return spec.present(request, obj)

    return archive, {"response": spec.out, "summary": f"Archive {spec.labels()[0]}"}


def _build_restore(spec: Spec) -> Built:
    def restore(request: HttpRequest, pk: int) -> Any:
        obj = spec.get_visible(request, pk)
        require_perm(request, f"catalog.archive_{spec.res.perm_name}", obj)
        if obj.archived_at is not None:
            domain.restore(actor=request_user(request), instance=obj, ip=audit.client_ip(request))
        return spec.present(request, obj)

    return restore, {"response": spec.out, "summary": f"Restore {spec.labels()[0]}"}


def _build_approve(spec: Spec) -> Built:
    def approve(request: HttpRequest, pk: int) -> Any:
        obj = spec.get_visible(request, pk)
        require_perm(request, "catalog.review")
        try:
            domain.approve(actor=request_user(request), instance=obj, ip=audit.client_ip(request))
        except IllegalTransition as exc:
            raise illegal(exc) from None
        return spec.present(request, obj)

    return approve, {
        "response": spec.out,
        "summary": f"Approve and publish {spec.labels()[0]} (staff)",
    }


def _build_return(spec: Spec) -> Built:
    def return_(request: HttpRequest, pk: int, payload: s.ReturnIn) -> Any:
        obj = spec.get_visible(request, pk)
        require_perm(request, "catalog.review")
        form = ReturnForm({"comment": payload.comment})
        if not form.is_valid():
            raise invalid(form.errors)
        try:
            domain.return_with_comments(
                actor=request_user(request),
                instance=obj,
                comment=form.cleaned_data["comment"],
                ip=audit.client_ip(request),
            )
        except IllegalTransition as exc:
            raise illegal(exc) from None
        return spec.present(request, obj)

    return _typed(return_, payload=s.ReturnIn), {
        "response": spec.out,
        "summary": f"Return {spec.labels()[0]} to its submitter with comments (staff)",
    }


def _build_resubmit(spec: Spec) -> Built:
    def resubmit(request: HttpRequest, pk: int) -> Any:
        obj = spec.get_visible(request, pk)
        require_perm(request, f"catalog.change_{spec.res.perm_name}", obj)
        try:
            domain.submit(actor=request_user(request), instance=obj, ip=audit.client_ip(request))
        except IllegalTransition as exc:
            raise illegal(exc) from None
        return spec.present(request, obj)

    return resubmit, {
        "response": spec.out,
        "summary": f"Resubmit {spec.labels()[0]} for review (a returned or draft record)",
    }


_BUILD: dict[str, Callable[[Spec], Built]] = {
    "list": _build_list,
    "create": _build_create,
    "detail": _build_detail,
    "update": _build_update,
    "archive": _build_archive,
    "restore": _build_restore,
    "approve": _build_approve,
    "return": _build_return,
    "resubmit": _build_resubmit,
}


def _register_all() -> None:
    specs = {spec.slug: spec for spec in SPECS}
    given: dict[str, list[str]] = {slug: [] for slug in specs}
    for method, path, action in ROUTES:
        slug = path.split("/")[1]
        handler, operation = _BUILD[action](specs[slug])
        router.api_operation(
            [method],
            path,
            operation_id=f"catalog_{slug}_{action}",
            url_name=f"catalog-{slug}-{action}",
            **operation,
        )(handler)
        given[slug].append(action)
    for slug, spec in specs.items():
        expected = EVERY_KIND + (REVIEWED_ONLY if spec.res.reviewed else ())
        if sorted(given[slug]) != sorted(expected):
            raise ImproperlyConfigured(f"ROUTES for /{slug}: {given[slug]}, expected {expected}")


_register_all()

api_revisions.register(router)
api_reference.register(router)
