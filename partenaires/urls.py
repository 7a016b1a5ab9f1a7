from django.urls import path

from partenaires import views

app_name = "partenaires"

urlpatterns = [
    path("partenaires/", views.annuaire, name="annuaire"),
]
