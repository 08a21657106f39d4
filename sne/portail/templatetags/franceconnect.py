"""`{% franceconnect_actif as actif %}`: whether the FranceConnect button is shown
(`SNE_FRANCECONNECT`), for the pages that include `portail/franceconnect/_bouton.html`.
`{% connecte_par_franceconnect as fc %}`: whether the applicant's session was opened through
FranceConnect, whose logout must then be `portail:franceconnect_deconnexion` (it ends the
FranceConnect session too)."""

from django import template

from sne.portail.franceconnect import CLE_ID_TOKEN, active

register = template.Library()


@register.simple_tag
def franceconnect_actif() -> bool:
    return active()


@register.simple_tag(takes_context=True)
def connecte_par_franceconnect(context) -> bool:
    session = getattr(context.get("request"), "portail", None)
    return active() and session is not None and CLE_ID_TOKEN in session
