"""A STIX 2.1 bundle of what the caller may read, built from its collection and nothing else.

The objects are the current versions the caller's TAXII collection serves, byte for byte, so the REST
export and TAXII never disagree. ``tlp_max`` leaves out objects marked above it; references to them stay
as they are (the caller may read those objects: they are in its collection, only not in this bundle).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse

from liaison.api.auth import store_of
from liaison.api.rest_common import Caller, audit, parse_tlp
from liaison.domain import TLP
from liaison.share.markings import tlp_of
from liaison.share.stix_json import bundle_id_for, version_key
from liaison.store.publication import ObjectFilter

router = APIRouter()

_PAGE = 1000


@router.get(
    "/exports/stix",
    summary="A STIX 2.1 bundle of everything the caller may read",
    response_class=JSONResponse,
    responses={200: {"description": "A STIX 2.1 bundle", "content": {"application/json": {}}}},
)
def export_stix(
    request: Request,
    principal: Caller,
    tlp_max: Annotated[
        str | None, Query(description="Leave out objects marked above this TLP level.")
    ] = None,
) -> JSONResponse:
    level = parse_tlp(tlp_max)
    store = store_of(request)
    objects: list[dict[str, Any]] = []
    after = 0
    while True:
        rows = store.collection_objects(principal.collection_id, ObjectFilter(), limit=_PAGE, after_seq=after)
        for row in rows:
            item = json.loads(row.json)
            if level is None or (tlp_of(item) or TLP.CLEAR).rank <= level.rank:
                objects.append(item)
        if len(rows) < _PAGE:
            break
        after = rows[-1].seq
    objects.sort(key=lambda o: (o["id"], version_key(str(o.get("modified", "")))))
    bundle = {"type": "bundle", "id": bundle_id_for(objects), "objects": objects}
    audit(
        request,
        principal,
        "api.export",
        {"format": "stix", "tlp_max": level.value if level else None, "objects": len(objects)},
    )
    return JSONResponse(bundle, headers={"Content-Disposition": 'attachment; filename="liaison-stix.json"'})
