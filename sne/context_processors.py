"""What every page of the application nationale needs to know about the site."""

from dataclasses import dataclass


@dataclass(frozen=True)
class ConfigurationSite:
    """Stands in for django-dsfr's DsfrConfig row: the layout needs no database query."""

    site_title: str = "Système National d'Enregistrement"
    site_tagline: str = "des demandes de logement social"
    header_brand_html: str = "République<br>Française"
    footer_brand_html: str = "République<br>Française"
    footer_description: str = (
        "Le registre national des demandes de logement social, partagé par les bailleurs "
        "et les guichets enregistreurs de chaque département."
    )
    beta_tag: bool = True
    mourning: bool = False
    notice_title: str = ""
    notice_description: str = ""


SITE = ConfigurationSite()

SKIPLINKS = [
    {"link": "#content", "label": "Contenu"},
    {"link": "#navigation-principale", "label": "Menu"},
    {"link": "#pied-de-page", "label": "Pied de page"},
]


def site(request):
    return {"SITE_CONFIG": SITE, "skiplinks": SKIPLINKS}
