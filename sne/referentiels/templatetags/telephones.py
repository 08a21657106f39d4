"""`{{ numero|telephone }}`: a stored telephone number as people read it (« 06 12 34 56 78 »)."""

from django import template

from ..telephones import telephone_lisible

register = template.Library()


@register.filter
def telephone(valeur) -> str:
    return telephone_lisible(valeur)
