"""What `candidatures` adds to the public pages of `cites` (see cites.extensions): the figures of
the instruction on /statistiques/ (aggregates only, nothing about a person), and, for a logged-in
agent only, the candidatures behind a cité on its page (an agent's page is never cached)."""

from django.http import HttpRequest

from candidatures import permissions, selectors
from cites.extensions import cite_detail_register, statistiques_register
from cites.models import CiteEducative


def statistiques_instruction_context(*, request: HttpRequest) -> dict:
    return {"instruction": selectors.instruction_statistiques_publiques()}


def cite_candidatures_context(*, request: HttpRequest, cite: CiteEducative) -> dict:
    if not permissions.is_agent(request.user):
        return {}
    candidatures = list(
        selectors.candidature_list_for_agent(user=request.user)
        .filter(cite=cite)
        .select_related("collectivite")
        .order_by("depose_le")
    )
    return {"candidatures_agents": candidatures} if candidatures else {}


def register() -> None:
    statistiques_register(statistiques_instruction_context)
    cite_detail_register(cite_candidatures_context)
