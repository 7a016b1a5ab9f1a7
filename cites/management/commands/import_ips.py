from cites.imports.ips import ips_import
from cites.imports.readers import Source
from cites.models import IndicePositionSociale

from ._import import ImportCommand


class Command(ImportCommand):
    help = (
        "Importe l'indice de position sociale (IPS) des écoles ou des collèges depuis un export CSV de la DEPP "
        "(séparateur ;, en-têtes « Rentrée scolaire;…;IPS » ou « rentree_scolaire;…;ips »). FILE : chemin ou URL ; "
        "plusieurs fichiers possibles. Le niveau est déduit du nom du fichier (…ecoles…, …colleges…) ou de --niveau."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", metavar="FILE", nargs="+")
        parser.add_argument("--niveau", choices=IndicePositionSociale.Niveau.values)

    def handle(self, *args, **options):
        for file in options["files"]:
            self.run_import(ips_import, source=Source(file), niveau=options.get("niveau"))
