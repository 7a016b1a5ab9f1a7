from django import template

from candidatures.fichiers import taille_lisible

register = template.Library()


@register.filter
def taille(octets) -> str:
    return taille_lisible(int(octets or 0))
