"""What `candidatures` adds to the public pages of `cites` (see cites.extensions): the figures of
the instruction on /statistiques/. Aggregates only, nothing about a person."""

from django.http import HttpRequest

from candidatures import selectors
from cites.extensions import statistiques_register


def statistiques_instruction_context(*, request: HttpRequest) -> dict:
    return {"instruction": selectors.instruction_statistiques_publiques()}


def register() -> None:
    statistiques_register(statistiques_instruction_context)
