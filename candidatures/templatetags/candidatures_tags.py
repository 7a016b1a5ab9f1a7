from django import template

from cites.formats import taille as taille_format

register = template.Library()


@register.filter
def taille(octets) -> str:
    """Kept for the templates that load candidatures_tags: the one helper of cites.formats."""
    return taille_format(octets)
