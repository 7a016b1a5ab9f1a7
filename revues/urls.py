from django.urls import path

from revues import views

app_name = "revues"

urlpatterns = [
    path("", views.liste, name="liste"),
    path("commencer/<int:cite_pk>/<int:questionnaire_pk>/", views.commencer, name="commencer"),
    path("<int:pk>/", views.detail, name="detail"),
    path("renouvellement/<int:cite_pk>/", views.renouvellement, name="renouvellement"),
    path("renouvellements/<int:pk>/", views.differences, name="differences"),
    path("synthese/<int:annee>/", views.synthese_publique, name="synthese"),
    path("synthese/<int:annee>.csv", views.synthese_csv, name="synthese_csv"),
    path("synthese/<int:annee>.xlsx", views.synthese_xlsx, name="synthese_xlsx"),
]
