from django import template

from candidatures.models import agent_institution, agent_signature
from candidatures.selectors import auteur_nom
from cites.formats import taille as taille_format

register = template.Library()


@register.filter
def taille(octets) -> str:
    """Kept for the templates that load candidatures_tags: the one helper of cites.formats."""
    return taille_format(octets)


@register.filter
def signature(user) -> str:
    """« Camille Martin (DRAJES Occitanie) » for an agent, the name for a porteur."""
    return agent_signature(user)


@register.filter
def institution(user) -> str:
    """The institution of an agent (« DRAJES Occitanie »), empty for a porteur."""
    return agent_institution(user)


@register.filter
def nom_auteur(user) -> str:
    """« Camille Martin », or « compte supprimé » for a deleted or anonymised account."""
    return auteur_nom(user)
