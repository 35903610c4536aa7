from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from khuyenhoc.api.api import api

urlpatterns = [
    path("", include("khuyenhoc.public.urls")),
    path("app/", include("khuyenhoc.organizations.urls")),
    path("app/members/", include("khuyenhoc.members.urls")),
    path("app/imports/", include("khuyenhoc.imports.urls")),
    path("app/learning/", include("khuyenhoc.learning.urls")),
    path("app/fund/", include("khuyenhoc.fund.urls")),
    path("app/awards/", include("khuyenhoc.awards.urls")),
    path("app/reports/", include("khuyenhoc.reports.urls")),
    path("p/learning/", include("khuyenhoc.learning.public_urls")),
    path("p/fund/", include("khuyenhoc.fund.public_urls")),
    path("p/awards/", include("khuyenhoc.awards.public_urls")),
    path("p/reports/", include("khuyenhoc.reports.public_urls")),
    path("accounts/", include("khuyenhoc.accounts.urls")),
    path("app/", include("khuyenhoc.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]

# Uploaded and generated files (evidence, certificates, job results) hold personal data:
# they are never served as public media, only through scoped views.
