from cites.imports.importers import cites_import
from cites.imports.readers import Source

from ._import import ImportCommand


class Command(ImportCommand):
    help = (
        "Importe la liste ANCT des cités éducatives (GeoJSON citeduc_geom). L'année du label est déduite "
        "de l'identifiant, sauf si un agent l'a corrigée. FILE : chemin ou URL."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")

    def handle(self, *args, **options):
        self.run_import(cites_import, source=Source(options["file"]))
