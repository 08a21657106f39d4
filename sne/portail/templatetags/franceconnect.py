"""`{% franceconnect_actif as actif %}`: whether the FranceConnect button is shown
(`SNE_FRANCECONNECT`), for the pages that include `portail/franceconnect/_bouton.html`."""

from django import template

from sne.portail.franceconnect import active

register = template.Library()


@register.simple_tag
def franceconnect_actif() -> bool:
    return active()
