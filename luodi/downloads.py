"""Uploaded files go back to people only as downloads, never rendered in the browser: an
attachment disposition, the content type checked at upload, nosniff, a sandboxing CSP and no
caching. Agreement documents and milestone evidence both answer through `attachment`."""

from __future__ import annotations

from typing import IO, Any

from django.http import FileResponse


def attachment(file: IO[Any], filename: str, content_type: str) -> FileResponse:
    response = FileResponse(file, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
