"""Generate realistic candidatures in bulk, for benchmarks and development.

    .venv/bin/python manage.py generer_candidatures --nombre 10000

Needs the reference data (`import_referentiels`): candidatures are filed by real communes that
have a QPV, in every région the data covers, in every state with their history. Adds to what
exists (references follow the counters of real deposits). Never on a production database.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from candidatures.generation import GENERATED_EMAIL_DOMAIN, candidatures_generer


class Command(BaseCommand):
    help = "Génère des candidatures réalistes en nombre (mesures de performance, développement)."

    def add_arguments(self, parser):
        parser.add_argument("--nombre", type=int, default=10000, help="nombre de candidatures (défaut : 10000)")
        parser.add_argument("--graine", type=int, default=2026, help="graine du tirage aléatoire (défaut : 2026)")

    def handle(self, *args, nombre: int, graine: int, **options):
        if nombre < 1:
            raise CommandError("--nombre doit être un entier positif.")
        verbosity = options["verbosity"]

        def progression(faites: int, total: int) -> None:
            if verbosity >= 2:
                self.stdout.write(f"  {faites}/{total}")

        debut = time.perf_counter()
        try:
            resultat = candidatures_generer(nombre=nombre, graine=graine, progression=progression)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        duree = time.perf_counter() - debut
        if verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(
                    f"{resultat.candidatures} candidatures générées en {duree:.1f} s "
                    f"({resultat.evenements} événements d'historique, {len(resultat.regions)} régions, "
                    f"{resultat.collectivites_creees} collectivités, {resultat.porteurs_crees} porteurs et "
                    f"{resultat.agents_crees} agents créés "
                    f"— adresses en @{GENERATED_EMAIL_DOMAIN})."
                )
            )
            for etat, nombre_etat in sorted(resultat.par_etat.items()):
                self.stdout.write(f"  {etat:<22} {nombre_etat:>6}")
