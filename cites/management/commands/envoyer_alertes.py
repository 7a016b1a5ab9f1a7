from django.core.management.base import BaseCommand

from cites.alertes import abonnements_expires_supprimer, alertes_nouvelles_cites_envoyer


class Command(BaseCommand):
    help = (
        "Envoie les alertes « nouvelle cité éducative dans mon département » dues (chacune une seule fois) et "
        "efface les demandes jamais confirmées. À lancer chaque jour (tâche planifiée) ; les publications de "
        "cités la déclenchent aussi."
    )

    def handle(self, *args, **options):
        effaces = abonnements_expires_supprimer()
        envoyes = alertes_nouvelles_cites_envoyer()
        self.stdout.write(
            f"{envoyes} courriel(s) d'alerte envoyé(s) ; {effaces} demande(s) non confirmée(s) effacée(s)."
        )
