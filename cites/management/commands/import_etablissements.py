from cites.imports.importers import etablissements_import
from cites.imports.readers import Source

from ._import import ImportCommand


class Command(ImportCommand):
    help = (
        "Importe des établissements depuis un export CSV de l'annuaire de l'éducation "
        "(séparateur ;, UTF-8). FILE : chemin ou URL ; plusieurs fichiers possibles."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", metavar="FILE", nargs="+")

    def handle(self, *args, **options):
        for file in options["files"]:
            self.run_import(etablissements_import, source=Source(file))
