from __future__ import annotations

from luodi.web.menu import MENU, grouped


def test_groups_keep_menu_order_and_every_entry() -> None:
    items = grouped(MENU)
    flat = [entry for item in items for entry in item.entries]
    assert sorted(map(id, flat)) == sorted(map(id, MENU))
    keys = [item.key for item in items if item.key]
    assert len(keys) == len(set(keys))  # a group appears once, where its first entry stands
    assert [item.key for item in items][:3] == ["", "", ""]  # home, search, matchmaking
