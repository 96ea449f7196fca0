"""The interactive API documentation at ``/docs``, served from this server alone.

FastAPI's own page loads Swagger UI from a CDN and starts it with an inline script; under Liaison's
Content-Security-Policy that is neither allowed nor wanted (no request leaves the server's origin). The
Swagger UI files come from the ``swagger-ui-bundle`` package on PyPI, installed with Liaison, and are
started by a small script of ours.
"""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

router = APIRouter(include_in_schema=False)

SWAGGER_FILES = Path(swagger_ui_bundle.swagger_ui_path)

_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Liaison API</title>
<link rel="stylesheet" href="/static/swagger/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/static/swagger/swagger-ui-bundle.js"></script>
<script src="/docs/start.js"></script>
</body>
</html>
"""

_START = """window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
"""


@router.get("/docs")
def api_documentation() -> HTMLResponse:
    return HTMLResponse(_PAGE)


@router.get("/docs/start.js")
def api_documentation_script() -> Response:
    return Response(_START, media_type="text/javascript")


def mount_swagger(app: FastAPI) -> None:
    app.mount("/static/swagger", StaticFiles(directory=SWAGGER_FILES), name="swagger")
