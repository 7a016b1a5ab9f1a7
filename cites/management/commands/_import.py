"""Shared plumbing of the import commands: progress bar, summaries, French errors."""

import sys
from collections.abc import Iterable

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from cites.imports.importers import Resultat
from cites.imports.readers import ImportErreur


class ImportCommand(BaseCommand):
    def progression(self, items: Iterable, description: str, total: int | None = None) -> Iterable:
        return tqdm(
            items,
            desc=description,
            total=total,
            file=sys.stderr,
            disable=self.verbosity == 0,
            leave=False,
            unit=" enr.",
            mininterval=0.5,
        )

    def execute(self, *args, **options):
        self.verbosity = options.get("verbosity", 1)
        return super().execute(*args, **options)

    def report(self, resultat: Resultat) -> None:
        if self.verbosity == 0:
            return
        self.stdout.write(resultat.resume(), self.style.SUCCESS if not resultat.rejets else self.style.WARNING)
        if resultat.source:
            self.stdout.write(f"  source : {resultat.source}")
        for detail in resultat.details:
            self.stdout.write(f"  {detail}")
        if resultat.rejets:
            self.stdout.write(f"  Enregistrements rejetés ({resultat.rejetes}) :")
            for rejet in resultat.rejets:
                self.stdout.write(f"    - {rejet}")

    def run_import(self, importer, **kwargs) -> list[Resultat]:
        """Run one importer; an unreadable file becomes a CommandError (message, no traceback)."""
        try:
            resultats = importer(progression=self.progression, **kwargs)
        except ImportErreur as error:
            raise CommandError(f"Import impossible : {error}") from error
        resultats = resultats if isinstance(resultats, list) else [resultats]
        for resultat in resultats:
            self.report(resultat)
        return resultats
