from django import template

from candidatures import contenu
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


@register.simple_tag
def contenu_etapes(candidature) -> list[dict]:
    """{% contenu_etapes candidature as etapes %}: the steps of the content and their fields (candidatures.contenu)."""
    return contenu.contenu_etapes(candidature)
