from __future__ import annotations

from pathlib import Path

from luodi.api import openapi_text

SCHEMA = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def test_committed_openapi_schema_matches_code() -> None:
    assert SCHEMA.read_text(encoding="utf-8") == openapi_text(), (
        "docs/openapi.json is out of date: run `make schema` and commit it."
    )


def test_no_two_schemas_share_a_name() -> None:
    """The OpenAPI document names a component by its class name only: two apps' `MeetingOut`
    became one, and clients validated partnering's meetings against engagements' shape (a
    registration fee answer was documented as a patent fee). Every schema class in luodi
    has a name of its own."""
    from collections import defaultdict

    from ninja import Schema

    import luodi.api  # noqa: F401  (imports every router, so every schema class exists)

    def walk(cls: type) -> list[type]:
        return [c for sub in cls.__subclasses__() for c in (sub, *walk(sub))]

    places: dict[str, set[str]] = defaultdict(set)
    for cls in walk(Schema):
        if cls.__module__.startswith("luodi."):
            places[cls.__name__].add(cls.__module__)
    shared = {name: sorted(mods) for name, mods in places.items() if len(mods) > 1}
    assert shared == {}, shared
