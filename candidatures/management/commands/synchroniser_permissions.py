"""Give the agents' groups exactly the permissions declared in candidatures/roles.py."""

from django.core.management.base import BaseCommand, CommandError

from candidatures.roles import roles_permissions_synchroniser


class Command(BaseCommand):
    help = "Applique aux groupes des agents les permissions déclarées dans candidatures/roles.py."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="ne change rien : liste les écarts et sort en erreur s'il y en a (CI, après migrate)",
        )

    def handle(self, *args, check: bool, verbosity: int = 1, **options):
        try:
            differences = roles_permissions_synchroniser(appliquer=not check)
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        for difference in differences if verbosity or check else []:
            self.stdout.write(f"  {difference}")
        if check and differences:
            raise CommandError(
                f"{len(differences)} écart(s) entre les groupes et candidatures/roles.py : "
                "lancez manage.py synchroniser_permissions"
            )
        if not verbosity:
            return
        if check:
            self.stdout.write(self.style.SUCCESS("Les groupes des agents ont les permissions déclarées."))
        else:
            self.stdout.write(
                self.style.SUCCESS(f"Permissions des groupes synchronisées ({len(differences)} écart(s)).")
            )
