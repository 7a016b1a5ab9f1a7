from django.urls import path

from cites import views

app_name = "cites"

urlpatterns = [
    path("cites/", views.cite_list, name="liste"),
    path("cites/<slug:slug>/", views.cite_detail, name="detail"),
    path("statistiques/", views.statistiques, name="statistiques"),
]
