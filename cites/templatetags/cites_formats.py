"""Template filters of `cites.formats`: `{% load cites_formats %}`, then `{{ x|montant }}`, `{{ n|taille }}`."""

from django import template

from cites import formats

register = template.Library()


@register.filter
def montant(valeur) -> str:
    return formats.montant(valeur)


@register.filter
def taille(octets) -> str:
    return formats.taille(octets)


@register.filter
def nombre(valeur) -> str:
    return formats.nombre(valeur)
