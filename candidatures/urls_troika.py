"""Pages reached by a signed link sent by e-mail, without an account: the troïka's confirmation of a
candidature, and the invitation of its co-editors (issue 13)."""

from django.urls import path

from candidatures import views_personnes as views

app_name = "troika"

urlpatterns = [
    path("confirmer/<str:token>/", views.troika_confirmer, name="confirmer"),
    path("invitation/<str:token>/", views.coedition_invitation, name="invitation"),
]
