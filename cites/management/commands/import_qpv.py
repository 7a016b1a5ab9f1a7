from cites.imports.importers import qpv_import
from cites.imports.readers import Source

from ._import import ImportCommand


class Command(ImportCommand):
    help = (
        "Importe les QPV : GeoJSON de l'ANCT (codes par commune), GeoJSON de contours (polygones) "
        "ou CSV data.gouv (code_qp;lib_qp;…;insee_com;…). FILE : chemin ou URL."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE")

    def handle(self, *args, **options):
        self.run_import(qpv_import, source=Source(options["file"]))
