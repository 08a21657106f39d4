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


MENU_GESTION = [
    ("tableau", "Tableau de bord", "gestion:tableau"),
    ("guichets", "Guichets", "gestion:guichets"),
    ("utilisateurs", "Utilisateurs", "gestion_comptes:utilisateurs"),
    ("fiche_collecte", "Importer une fiche collecte", "fiche_collecte:importer"),
    ("associations", "Associations", "departement:associations"),
    ("contacts", "Fichier des contacts", "departement:fichier_contacts"),
    ("demandes", "Demandes des guichets", "departement:demandes"),
    ("creations_forcees", "Créations forcées (doublons)", "doublons:creations_forcees"),
    ("audits", "Audit des doublons", "doublons:audits"),
    ("courriers", "Courriers à imprimer", "courriers:liste"),
    ("campagne", "Campagne de renouvellement", "campagne:tableau"),
    ("cotation", "Grille de cotation", "gestion_cotation:grille"),
    ("statistiques", "Statistiques", "statistiques:tableau"),
    ("journal", "Journal d'audit", "audit:journal"),
]


def menu_gestion(request):
    """The person's rights, and the side menu of the back office (gestionnaires)."""
    if not request.user.is_authenticated:
        return {}
    from django.urls import NoReverseMatch, reverse

    from sne.attributions.acces import voit_les_attributions
    from sne.comptes.droits import droits_de

    droits = droits_de(request.user)
    # Read by the main menu only when it asks (a callable): « Attributions » for a landlord's
    # desks.
    commun = {"droits": droits, "voit_attributions": lambda: voit_les_attributions(request.user)}
    if not request.path.startswith("/gestion/"):
        return commun

    entrees = []
    for code, libelle, nom in MENU_GESTION:
        try:
            entrees.append({"code": code, "libelle": libelle, "url": reverse(nom)})
        except NoReverseMatch:
            continue  # a page not yet built is simply not offered
    if not droits.est_gestionnaire:
        # Desk agents reach only their requests to the gestionnaire in the back office.
        entrees = [e for e in entrees if e["code"] == "demandes"]
    return {"menu_gestion": entrees, **commun}
