from django import template

from candidatures.selectors import auteur_nom
from cites.formats import taille as taille_format

register = template.Library()


@register.filter
def taille(octets) -> str:
    """Kept for the templates that load candidatures_tags: the one helper of cites.formats."""
    return taille_format(octets)


@register.filter
def nom_auteur(user) -> str:
    """« Camille Martin », or « compte supprimé » for a deleted or anonymised account."""
    return auteur_nom(user)
