"""The ops app has no tables. This module exists because Django sends `post_migrate` only to
apps with a models module, and the cache table is created on `post_migrate` (apps.py)."""
