"""The JSON API: one NinjaAPI, a router per area, the same scopes as the pages.

An area adds `khuyenhoc/api/routers/<area>.py` with a module-level `router`; it is
mounted at /api/<area>/.
"""

import importlib
import importlib.util

from django.http import Http404
from ninja import NinjaAPI

from .auth import AUTH

api = NinjaAPI(title="Khuyến học API", version="1", auth=AUTH, urls_namespace="api")

ROUTERS = {"org": "organizations", "members": "members", "learning": "learning", "fund": "fund", "awards": "awards", "reports": "reports"}
for prefix, module in ROUTERS.items():
    name = f"khuyenhoc.api.routers.{module}"
    if importlib.util.find_spec(name) is not None:
        api.add_router(f"/{prefix}", importlib.import_module(name).router)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Không tìm thấy"}, status=404)
