from pathlib import Path

from cites.imports.importers import cog_import
from cites.imports.referentiels import cog_package_dir

from ._import import ImportCommand


class Command(ImportCommand):
    help = (
        "Importe les régions, départements, communes (et communes déléguées, associées, arrondissements) "
        "et, si epci.json est présent, les intercommunalités, depuis le paquet npm "
        "@etalab/decoupage-administratif ou un dossier organisé comme ../shared/data/cog."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dir",
            dest="dir",
            help="Dossier des fichiers JSON (par défaut : node_modules/@etalab/decoupage-administratif/data).",
        )

    def handle(self, *args, **options):
        dossier = Path(options["dir"]) if options.get("dir") else cog_package_dir()
        self.run_import(cog_import, dossier=dossier)
