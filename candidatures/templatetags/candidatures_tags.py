from django import template

from candidatures import contenu
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


@register.simple_tag
def contenu_etapes(candidature) -> list[dict]:
    """{% contenu_etapes candidature as etapes %}: the steps of the content and their fields (candidatures.contenu)."""
    return contenu.contenu_etapes(candidature)
