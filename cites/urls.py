from django.urls import path

from cites import views, views_alertes, views_donnees

app_name = "cites"

urlpatterns = [
    path("cites/", views.cite_list, name="liste"),
    path("cites/<slug:slug>/", views.cite_detail, name="detail"),
    path("cites/<slug:slug>/corriger/", views.cite_suggestion, name="corriger"),
    path(
        "cites/<slug:slug>/documents/<str:type>-<int:pk>.pdf",
        views.cite_document,
        name="document",
    ),
    path("statistiques/", views.statistiques, name="statistiques"),
    path("carte/", views_donnees.carte, name="carte"),
    path("donnees/", views_donnees.donnees_page, name="donnees"),
    path("donnees/cites.geojson", views_donnees.cites_geojson, name="cites_geojson"),
    path("donnees/cites.csv", views_donnees.cites_csv, name="cites_csv"),
    path("donnees/qpv.geojson", views_donnees.qpv_geojson, name="qpv_geojson"),
    path("donnees/datapackage.json", views_donnees.datapackage, name="datapackage"),
    path(
        "donnees/qpv-generalisation.geojson",
        views_donnees.qpv_generalisation_geojson,
        name="qpv_generalisation_geojson",
    ),
    path("donnees/cites-financements.json", views_donnees.financements_json, name="financements_json"),
    path("donnees/<slug:nom>.schema.json", views_donnees.table_schema, name="schema"),
    path("donnees/<slug:nom>.csv", views_donnees.csv_fichier, name="csv"),
    path("generalisation/", views_donnees.generalisation, name="generalisation"),
    path("alertes/", views_alertes.alertes_page, name="alertes"),
    path("alertes/confirmer/<str:jeton>/", views_alertes.alertes_confirmation, name="alertes_confirmation"),
    path("alertes/desinscription/<str:jeton>/", views_alertes.alertes_desinscription, name="alertes_desinscription"),
]
