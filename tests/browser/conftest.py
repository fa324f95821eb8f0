"""Browser fixtures live in tests/browser_fixtures.py (a plugin loaded by tests/conftest.py)."""

from tests.browser_fixtures import sign_in

__all__ = ["sign_in"]
