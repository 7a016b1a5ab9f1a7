from django.urls import path

from candidatures import views, views_personnes

app_name = "candidatures"

urlpatterns = [
    path("", views.tableau_de_bord, name="tableau_de_bord"),
    path("nouvelle/", views.nouvelle, name="nouvelle"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/etapes/<slug:etape>/", views.etape, name="etape"),
    path("<int:pk>/personnes/", views_personnes.personnes_page, name="personnes"),
    path("<int:pk>/deposer/", views.deposer, name="deposer"),
    path("<int:pk>/retirer/", views.retirer, name="retirer"),
    path("<int:pk>/recepisse/", views.recepisse, name="recepisse"),
    path("<int:pk>/messages/", views.message_envoyer, name="message"),
    path("<int:pk>/pieces/<int:piece_pk>/", views.piece_telecharger, name="piece"),
    path("<int:pk>/messages/pieces/<int:piece_pk>/", views.message_piece_telecharger, name="message_piece"),
    path("<int:pk>/pieces/<int:piece_pk>/supprimer/", views.piece_supprimer, name="piece_supprimer"),
]
