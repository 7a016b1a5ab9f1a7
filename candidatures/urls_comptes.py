from django.urls import path

from candidatures import views_comptes as views

app_name = "comptes"

urlpatterns = [
    path("inscription/", views.inscription, name="inscription"),
    path("inscription/envoyee/", views.inscription_envoyee, name="inscription_envoyee"),
    path("session/", views.session_etat, name="session"),
    path("confirmation/renvoyer/", views.confirmation_renvoyer, name="confirmation_renvoyer"),
    path("confirmation/<str:token>/", views.confirmation, name="confirmation"),
    path("connexion/", views.Connexion.as_view(), name="connexion"),
    path("deconnexion/", views.Deconnexion.as_view(), name="deconnexion"),
    path("mot-de-passe/oublie/", views.MotDePasseOublie.as_view(), name="mot_de_passe_oublie"),
    path("mot-de-passe/envoye/", views.MotDePasseEnvoye.as_view(), name="mot_de_passe_envoye"),
    path("mot-de-passe/nouveau/<uidb64>/<token>/", views.MotDePasseNouveau.as_view(), name="mot_de_passe_nouveau"),
    path("mot-de-passe/modifie/", views.MotDePasseModifie.as_view(), name="mot_de_passe_modifie"),
]
