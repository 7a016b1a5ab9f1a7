from django.urls import path

from candidatures import views_eligibilite as views

app_name = "eligibilite"

urlpatterns = [
    path("", views.eligibilite, name="page"),
    path("pre-diagnostic.pdf", views.eligibilite_pdf, name="pdf"),
]
