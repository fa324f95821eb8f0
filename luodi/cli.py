"""The `luodi` command: Django's management commands plus Luodi's own verbs.

luodi serve [--host H] [--port P]   gunicorn (runserver when LUODI_DEBUG=true)
luodi demo                          load the demo ecosystem (idempotent)
luodi export_openapi [PATH]         write the OpenAPI schema (default: stdout)
luodi eval retrieval DIR ...        retrieval evaluation (prints one JSON line last)
luodi <django command> ...          anything manage.py does, e.g. `luodi migrate`
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def _django(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luodi.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    # The SQLite database, indexes and uploads live here; a new LUODI_VAR_DIR just works.
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)

    execute_from_command_line(["luodi", *argv])
    return 0


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luodi.settings")
    import django
    from django.conf import settings

    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    django.setup()


# These two verbs compose the whole project (every app's demo data, every app's API), so they
# live here in the composition root rather than as management commands inside some app.


def _demo(argv: list[str]) -> int:
    _setup()
    from luodi import demo

    if demo.load(sys.stdout):
        print(f"Demo loaded. Sign in as 'admin' with password '{demo.DEMO_PASSWORD}'.")
    else:
        print("Demo data was already present; anything missing was added.")
    return 0


def _export_openapi(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="luodi export_openapi",
        description="Write the OpenAPI schema (committed as docs/openapi.json; a test compares).",
    )
    parser.add_argument("path", nargs="?", default="-")
    args = parser.parse_args(argv)
    _setup()
    from luodi.api import openapi_text

    text = openapi_text()
    if args.path == "-":
        sys.stdout.write(text)
    else:
        Path(args.path).write_text(text, encoding="utf-8")
    return 0


def _serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="luodi serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=int(os.environ.get("LUODI_WORKERS", "2")))
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "luodi.settings")
    from django.conf import settings

    if settings.DEBUG:
        return _django(["runserver", f"{args.host}:{args.port}"])
    # A real WSGI server; exec so that signals reach it directly. Timeouts, logging and the
    # per-worker search warm-up are in the config module.
    os.execv(
        sys.executable,
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "python:luodi.gunicorn_conf",
            "--bind",
            f"{args.host}:{args.port}",
            "--workers",
            str(args.workers),
            "luodi.wsgi:application",
        ],
    )
    return 0  # pragma: no cover - execv does not return


def _eval(argv: list[str]) -> int:
    if not argv or argv[0] not in {"retrieval", "sites"}:
        print(
            "usage: luodi eval retrieval DIR [options] | luodi eval sites [options]",
            file=sys.stderr,
        )
        return 2
    if argv[0] == "retrieval":
        from luodi.matching.evaluate import main as eval_retrieval

        return eval_retrieval(argv[1:])
    from luodi.sites.evaluate import main as eval_sites

    return eval_sites(argv[1:])


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "manage":
        args = args[1:]
    if not args:
        print(__doc__)
        return _django(["help"])
    verb, rest = args[0], args[1:]
    if verb == "serve":
        return _serve(rest)
    if verb == "eval":
        return _eval(rest)
    if verb == "demo":
        return _demo(rest)
    if verb == "export_openapi":
        return _export_openapi(rest)
    return _django(args)


if __name__ == "__main__":
    sys.exit(main())
