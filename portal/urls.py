from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("portal.site_urls")),
    path("", include("cites.urls")),
    path("", include("partenaires.urls")),
    path("api/", include("portal.api_urls")),
    path("candidatures/", include("candidatures.urls")),
    path("revues/", include("revues.urls")),
    path("eligibilite/", include("candidatures.urls_eligibilite")),
    path("comptes/", include("candidatures.urls_comptes")),
    path("troika/", include("candidatures.urls_troika")),
    path("admin/", admin.site.urls),
]

handler400 = "portal.views.bad_request"
handler403 = "portal.views.permission_denied"
handler404 = "portal.views.page_not_found"
handler500 = "portal.views.server_error"
