"""Search API (mounted at /api/search/): the same search as the page, as JSON."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema

from luodi.errors import ApiError
from luodi.search import service

router = Router(tags=["search"])


class HitOut(Schema):
    """No score: BM25 statistics span every record, including ones the caller may not see."""

    kind: str
    id: int
    title: str
    title_html: str  # HTML: source text escaped, matched terms in <mark>
    alt_title_html: str
    snippet_html: str
    meta: str
    url: str
    archived: bool


class SearchOut(Schema):
    query: str
    kinds: list[str]
    total: int  # matches among the requested kinds (counted up to 1000)
    capped: bool
    counts: dict[str, int]  # matches per kind, every kind
    similar: list[str]  # known words used for misspelled query words
    hits: list[HitOut]


@router.get("/", response=SearchOut, summary="Search every record you may see")
def search(
    request: HttpRequest,
    q: str = "",
    kinds: list[str] | None = Query(None),  # noqa: B008
    limit: int = Query(20, ge=1, le=service.MAX_LIMIT),
    archived: bool = False,
) -> SearchOut:
    """Organizations, achievements, clinical needs, people, carriers and trials, in Chinese
    or English, tolerant of typos. `kinds` filters (repeat it or separate with commas);
    `archived=true` includes archived records (staff only)."""
    if len(service.squash(q)) > service.MAX_QUERY_LENGTH:
        msg = service.too_long_message()
        raise ApiError(422, "invalid", msg, {"q": [msg]})
    res = service.search(
        request.user,
        q,
        kinds,
        limit=limit,
        include_archived=archived and request.user.has_perm("search.include_archived"),
    )
    return SearchOut(
        query=res.query,
        kinds=res.kinds,
        total=res.total,
        capped=res.capped,
        counts=res.counts,
        similar=res.similar,
        hits=[
            HitOut(
                kind=i.kind,
                id=i.pk,
                title=i.title_text,
                title_html=str(i.title),
                alt_title_html=str(i.alt_title),
                snippet_html=str(i.snippet),
                meta=i.meta,
                url=i.url,
                archived=i.archived,
            )
            for i in res.items
        ],
    )
