import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from cites.imports.referentiels import Probleme, referentiels_import

from ._import import ImportCommand


class Command(ImportCommand):
    help = (
        "Importe toutes les données de référence (COG, QPV, cités éducatives, annuaire de l'éducation) "
        "depuis un dossier organisé comme ../shared/data (par défaut REFERENCE_DATA_DIR) ou, sans dossier, "
        "depuis les adresses officielles (REFERENCE_DATA_URLS), puis place les établissements dans les QPV."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", dest="dir", help="Dossier des données de référence.")
        parser.add_argument(
            "--strict",
            action="store_true",
            help="Sortir en erreur quand une source manque ou n'a pas pu être importée (tâches planifiées). "
            "Sans cette option, le portail démarre avec ce qu'il a (make run).",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        if options.get("dir"):
            dossier = Path(options["dir"])
            if not dossier.is_dir():
                raise CommandError(f"Dossier introuvable : {dossier}")
        else:
            dossier = Path(settings.REFERENCE_DATA_DIR)
            if not dossier.is_dir():
                self.stderr.write(
                    f"Dossier {dossier} absent : téléchargement depuis les adresses officielles (REFERENCE_DATA_URLS)."
                )
                dossier = None
        problemes = []
        for etape in referentiels_import(dossier=dossier, progression=self.progression):
            if isinstance(etape, Probleme):
                problemes.append(etape)
                self.stderr.write(f"Attention : {etape.message}")
            else:
                self.report(etape)
        if self.verbosity:
            self.stdout.write(f"Données de référence importées en {time.monotonic() - started:.1f} s.")
        if problemes:
            self.stderr.write(
                f"{len(problemes)} source(s) non importée(s) : le portail fonctionne avec les données disponibles."
            )
        if problemes and options.get("strict"):
            raise CommandError(
                f"{len(problemes)} source(s) non importée(s) : --strict demande que toutes le soient "
                "(code de sortie non nul)."
            )
        unreadable = [probleme for probleme in problemes if probleme.illisible]
        if unreadable:
            raise CommandError(f"{len(unreadable)} fichier(s) illisible(s) : voir les messages ci-dessus.")
