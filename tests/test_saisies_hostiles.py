"""No input makes a 500: a walk through the site as each kind of user, which fills every field
of every form it finds, one at a time, with hostile values (empty, 10,000 characters, NUL,
emoji, huge numbers, impossible dates), and adds them to every GET parameter of the search and
filter forms. Runs on SQLite and on PostgreSQL (CI runs both).

A form is submitted as the page shows it (its own values kept), with only one field changed,
so that the value reaches the checks behind the first ones (a service, the database).
"""

import io
import re
from datetime import date, timedelta
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from sne.attributions import services as attributions
from sne.comptes.jetons import compte_systeme
from sne.demandes import services
from sne.doublons.audit import lancer_audit
from sne.doublons.models import AuditDoublons, CreationForcee, PaireDoublon
from sne.doublons.parcours import parcourir
from sne.lots import services as lots
from sne.notifications import services as notifications
from sne.notifications.campagne import lancer_campagne
from sne.organisations.models import Organisation, PointContact
from sne.pieces import services as pieces
from sne.referentiels.models import Departement
from sne.statistiques import donnees_ouvertes
from sne.statistiques import services as statistiques
from tests.demandes.conftest import donnees_minimales
from tests.factories import (
    GuichetFactory,
    OrganisationFactory,
    agent,
    gestionnaire,
    habiliter,
    national,
)
from tests.outils import connecter
from tests.pieces import fichiers

pytestmark = [pytest.mark.django_db, pytest.mark.aujourd_hui(date(2026, 11, 30))]

VALEURS_HOSTILES = [
    "",
    "x" * 10_000,
    "a\x00b",
    "🏠🇫🇷👨‍👩‍👧",
    "999999999999999999999",
    "3000000000",  # over PostgreSQL's `integer`
    "0001-01-01",
    "2026-02-31",
]
# Pages that end the session or are files, not forms to walk.
EXCLUES = ("/comptes/deconnexion/", "/admin/", "/static/", "/media/", ".pdf", ".xlsx")
PAGES_MAX = 60


def _formulaires(page_html: str, adresse: str):
    """(method, action, baseline values, field names) of each form of a page."""
    soupe = BeautifulSoup(page_html, "html.parser")
    for form in soupe.find_all("form"):
        methode = (form.get("method") or "get").lower()
        action = urljoin(adresse, form.get("action") or adresse)
        valeurs, noms = {}, []
        for champ in form.find_all(["input", "select", "textarea"]):
            nom = champ.get("name")
            genre = (champ.get("type") or "").lower()
            if not nom or nom == "csrfmiddlewaretoken" or genre in ("file", "submit", "button"):
                continue
            if champ.name == "select":
                choisie = champ.find("option", selected=True) or champ.find("option")
                valeurs.setdefault(nom, choisie.get("value", "") if choisie else "")
            elif champ.name == "textarea":
                valeurs.setdefault(nom, champ.text)
            elif genre in ("checkbox", "radio"):
                if champ.has_attr("checked"):
                    valeurs.setdefault(nom, champ.get("value", "on"))
            else:
                valeurs.setdefault(nom, champ.get("value", ""))
            if nom not in noms:
                noms.append(nom)
        yield methode, action, valeurs, noms


def _liens(page_html: str, adresse: str) -> list[str]:
    soupe = BeautifulSoup(page_html, "html.parser")
    liens = []
    for a in soupe.find_all("a", href=True):
        cible = urljoin(adresse, a["href"])
        morceaux = urlsplit(cible)
        if morceaux.netloc not in ("", "testserver") or not morceaux.path.startswith("/"):
            continue
        if any(e in morceaux.path for e in EXCLUES):
            continue
        liens.append(morceaux.path + (f"?{morceaux.query}" if morceaux.query else ""))
    return liens


def _parcourir(client, depart: list[str]) -> list[str]:
    """Submit every form found on the pages reachable from `depart`; the 5xx seen."""
    client.raise_request_exception = False  # a 500 is reported with the others, not raised
    vues, a_voir, erreurs, formulaires_vus = set(), list(depart), [], set()
    while a_voir and len(vues) < PAGES_MAX:
        adresse = a_voir.pop(0)
        if adresse in vues:
            continue
        vues.add(adresse)
        reponse = client.get(adresse)
        if reponse.status_code >= 500:
            erreurs.append(f"GET {adresse} → {reponse.status_code}")
            continue
        if reponse.status_code != 200 or "html" not in reponse.get("Content-Type", ""):
            continue
        page = reponse.content.decode()
        a_voir += [lien for lien in _liens(page, adresse) if lien not in vues]
        for methode, action, valeurs, noms in _formulaires(page, adresse):
            # The same form on another demande or desk is the same code: walked once.
            signature = (methode, re.sub(r"[0-9A-Z]{5,}|\d+", "N", action), tuple(noms))
            if any(e in action for e in EXCLUES) or signature in formulaires_vus:
                continue
            formulaires_vus.add(signature)
            for nom in noms:
                for hostile in VALEURS_HOSTILES:
                    donnees = {**valeurs, nom: hostile}
                    envoi = client.post if methode == "post" else client.get
                    resultat = envoi(action, donnees)
                    if resultat.status_code >= 500:
                        erreurs.append(
                            f"{methode.upper()} {action} {nom}={hostile[:20]!r} → "
                            f"{resultat.status_code}"
                        )
    return erreurs


@pytest.fixture
def registre():
    """Desks, people and demandes in every state, so that the walk finds every kind of page."""
    paris = GuichetFactory(code="75TS1", departements=["75", "92"])
    PointContact.objects.create(guichet=paris, libelle="Accueil", telephone="0102030405")
    saisie = agent(paris)
    active = services.enregistrer_demande(paris, saisie, donnees_minimales())
    # A pièce of the dossier unique (issue 14): its refusal and replacement forms. Analysed
    # when the test antivirus runs, waiting for it otherwise: both are walked without a 500.
    pieces.deposer_piece(
        active, fichiers.pdf(), type="identite", par=saisie, guichet=paris, nom="carte.pdf"
    )
    couple = donnees_minimales()
    couple["demandeur"] = {
        **couple["demandeur"],
        "prenom": "Paul",
        "situation_familiale": "marie",
    }
    couple["co_demandeur"] = {"nom": "Martin", "prenom": "Léa", "date_naissance": "1990-01-01"}
    services.enregistrer_demande(paris, saisie, couple)
    radiee = services.enregistrer_demande(
        paris,
        saisie,
        {**donnees_minimales(), "demandeur": {**donnees_minimales()["demandeur"], "prenom": "Zoé"}},
    )
    services.radier(radiee, "renonciation", par=saisie, guichet=paris)
    # A forced creation, and an audit of duplicates with its pair (issue 11).
    services.enregistrer_demande(
        paris,
        saisie,
        {**donnees_minimales(), "demandeur": {**donnees_minimales()["demandeur"], "nom": "Martn"}},
        "Homonyme vérifié",
    )
    audit, _ = lancer_audit(Departement.objects.get(code="75"), national())
    parcourir(audit.pk)
    lot, _ = lots.recevoir_lot(
        paris, compte_systeme(paris), io.BytesIO(b'{"reference_externe": "X"}\n'), taille_max=999
    )
    lots.traiter_lot(lot.pk, lot.bail_par)
    # The renewal campaign's notices, a posted print run (issue 12): the letters' pages.
    lancer_campagne(active.date_expiration - relativedelta(months=1))
    tournee = notifications.preparer_tournee("75")
    notifications.rendre_tournee(tournee.pk)
    # The statistics (issue 16): a snapshot and the month's open-data file, so that the pages,
    # their territory selector and their exports are walked with figures.
    instantane = statistiques.prendre_instantane(timezone.localdate())
    donnees_ouvertes.publier_mois(instantane.jour)
    return {"guichet": paris, "agent": saisie, "demande": active, "lot": lot}


@pytest.mark.parametrize("profil", ["agent", "gestionnaire", "national"])
def test_aucune_saisie_hostile_ne_provoque_d_erreur_500(client, registre, profil):
    personne = {
        "agent": registre["agent"],
        "gestionnaire": gestionnaire("75"),
        "national": national(),
    }[profil]
    connecter(client, personne)
    numero = registre["demande"].numero_unique
    depart = ["/", "/demandes/", f"/demandes/{numero}/", "/gestion/", "/referentiels/communes/"]
    depart.append("/gestion/guichets/75TS1/jetons/")  # the tokens' form, whatever the walk finds
    depart.append(f"/lots/{registre['lot'].pk}/")  # the lot's filter
    depart += [  # the duplicates' pages (issue 11): their filters, the launch, a decision
        "/gestion/doublons/creations-forcees/",
        f"/gestion/doublons/creations-forcees/{CreationForcee.objects.get().pk}/",
        "/gestion/doublons/audits/",
        f"/gestion/doublons/audits/{AuditDoublons.objects.get().pk}/",
        f"/gestion/doublons/paires/{PaireDoublon.objects.get().pk}/",
    ]
    depart += [  # the letters and the renewal campaign (issue 12)
        "/gestion/courriers/",
        "/gestion/campagne/",
        "/gestion/statistiques/",
        "/demandes/demandeurs-a-recontacter/",
        f"/demandes/{numero}/?onglet=messages",
    ]
    depart += ["/statistiques/guichet/", "/gestion/statistiques/"]  # issue 16

    erreurs = _parcourir(client, depart)

    assert not erreurs, "\n".join(erreurs)


def test_aucune_saisie_hostile_des_pages_des_attributions_ne_provoque_d_erreur_500(client):
    """A landlord's desk (issue 15): a dwelling, a session, candidates waiting for their
    decision, an attribution (refusal and lease forms) and one under condition."""
    bailleur = OrganisationFactory(nom="Habitat Test", type=Organisation.Type.BAILLEUR)
    guichet = GuichetFactory(code="75BA7", organisation=bailleur, departements=["75"])
    saisie = agent(guichet)
    jour = timezone.localdate()  # the session sits today, after the demandes are filed
    logement = attributions.enregistrer_logement(
        {
            "reference": "L-1",
            "adresse": "1 rue Test",
            "commune": "75113",
            "typologie": "T3",
            "loyer": "500",
        },
        par=saisie,
        guichet=guichet,
    )
    seance = attributions.ouvrir_seance(
        date_seance=jour, membres=[("maire", "Ville")], par=saisie, guichet=guichet
    )
    candidatures = []
    for prenom in ("Anne", "Basile", "Chloé"):
        donnees = donnees_minimales()
        donnees["demandeur"] = {**donnees["demandeur"], "prenom": prenom}
        demande = services.enregistrer_demande(guichet, saisie, donnees)
        candidatures.append(
            attributions.inscrire_candidat(seance, logement, demande, par=saisie, guichet=guichet)
        )
    attributions.decider(candidatures[0], "attribution_classement", par=saisie, guichet=guichet)
    attributions.decider(
        candidatures[1],
        "attribution_sous_condition",
        condition="Avis d'imposition",
        condition_avant=jour + timedelta(days=15),
        par=saisie,
        guichet=guichet,
    )
    # The agent also records for a second landlord: the selector above the lists and the
    # « Bailleur » field of the creation forms are walked too.
    autre = OrganisationFactory(nom="Autre Habitat Test", type=Organisation.Type.BAILLEUR)
    habiliter(saisie, guichet=GuichetFactory(code="75AH1", organisation=autre, departements=["75"]))
    connecter(client, saisie)
    depart = [
        "/attributions/",
        "/attributions/seances/nouvelle/",
        f"/attributions/seances/{seance.pk}/",
        "/attributions/logements/",
        "/attributions/logements/nouveau/",
        f"/attributions/logements/{logement.pk}/",
    ]

    erreurs = _parcourir(client, depart)

    assert not erreurs, "\n".join(erreurs)


def test_aucune_saisie_hostile_d_un_visiteur_anonyme_ne_provoque_d_erreur_500(client):
    depart = ["/", "/comptes/connexion/", "/comptes/mot-de-passe-inconnu/", "/donnees-ouvertes/"]
    depart += ["/donnees-ouvertes/2026-13/demandes-actives.csv", "/donnees-ouvertes/x/y/z.csv"]
    erreurs = _parcourir(client, depart)
    assert not erreurs, "\n".join(erreurs)
