"""Operations: what running Luodi on several machines needs.

- the cache table, created by every `luodi migrate` (apps.py);
- readiness for load balancers (health.py, served at /healthz);
- `luodi backup` and `luodi restore` (backup.py; docs/operations.md);
- a system check that the proxy trust behind LUODI_PROXY_COUNT can work (checks.py).
"""
