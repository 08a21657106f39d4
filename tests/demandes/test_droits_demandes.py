"""Who opens which demande page: each role × each page or action, on three demandes (one in
Paris registered by 75BA1, two in Seine-Saint-Denis registered by 93BA2, in Saint-Denis and in
Montreuil). Desk 93CO1 is habilitated on the 93 but consults only Saint-Denis."""

import pytest
from django.core.files.base import ContentFile

from sne.demandes import services
from tests.demandes.conftest import donnees_minimales
from tests.factories import GuichetFactory, UtilisateurFactory, agent, gestionnaire, national
from tests.outils import connecter

pytestmark = pytest.mark.django_db


def _enregistrer(guichet, par, departement, commune, prenom):
    donnees = donnees_minimales(departement=departement, souhaits={"communes": [commune]})
    donnees["demandeur"] = {**donnees["demandeur"], "prenom": prenom}
    demande = services.enregistrer_demande(guichet, par, donnees)
    # The attestation sent at registration (its PDF is not what is tested here).
    demande.attestations.create(
        type="enregistrement",
        fichier=ContentFile(b"%PDF-1.4\n%%EOF\n", name=f"attestation-{demande.pk}.pdf"),
    )
    return demande


@pytest.fixture
def monde():
    g75 = GuichetFactory(code="75BA1", departements=["75", "92"])
    g93 = GuichetFactory(code="93BA2", departements=["93"])
    g93_limite = GuichetFactory(code="93CO1", departements=["93"], communes=["93066"])
    saisie_93 = agent(g93)
    saisie_75 = agent(g75, "saisie")
    return {
        "demandes": {
            "paris": _enregistrer(g75, saisie_75, "75", "75120", "Élodie"),
            "saint_denis": _enregistrer(g93, saisie_93, "93", "93066", "Karim"),
            "montreuil": _enregistrer(g93, saisie_93, "93", "93048", "Inès"),
        },
        "personnes": {
            "anonyme": None,
            "saisie_75BA1": saisie_75,
            "consultation_75BA1": agent(g75, "consultation"),
            "saisie_93CO1": agent(g93_limite, "saisie"),
            "gestionnaire_75": gestionnaire("75"),
            "gestionnaire_93": gestionnaire("93"),
            "national": national(),
            "sans_habilitation": UtilisateurFactory(),
        },
    }


ACTIONS = ["fiche", "modifier", "renouveler", "radier", "reactiver", "dupliquer", "attestation"]
DEMANDES = ["paris", "saint_denis", "montreuil"]

# The statuses of ACTIONS, in that order, on one demande.
AGIT = (200, 200, 200, 200, 200, 200, 200)  # sees it and acts on it
LIT = (200, 403, 403, 403, 403, 403, 200)  # sees it and its attestation, acts on nothing
CACHEE = (404, 404, 404, 404, 404, 404, 404)  # outside the person's scope: « introuvable »
REFUS = (403, 403, 403, 403, 403, 403, 403)  # no habilitation at all
CONNEXION = (302, 302, 302, 302, 302, 302, 302)  # to the login page

# person → (status of the search page, then one line per demande of DEMANDES)
MATRICE = {
    "anonyme": (302, CONNEXION, CONNEXION, CONNEXION),
    "saisie_75BA1": (200, AGIT, CACHEE, CACHEE),
    "consultation_75BA1": (200, LIT, CACHEE, CACHEE),
    "saisie_93CO1": (200, CACHEE, AGIT, CACHEE),
    "gestionnaire_75": (200, LIT, CACHEE, CACHEE),
    "gestionnaire_93": (200, CACHEE, LIT, LIT),
    "national": (200, LIT, LIT, LIT),
    "sans_habilitation": (403, REFUS, REFUS, REFUS),
}


def url(numero: str, action: str) -> str:
    return f"/demandes/{numero}/" if action == "fiche" else f"/demandes/{numero}/{action}/"


@pytest.mark.parametrize("personne", MATRICE)
def test_chaque_role_n_ouvre_que_les_pages_de_demande_qui_le_concernent(client, monde, personne):
    utilisateur = monde["personnes"][personne]
    if utilisateur:
        connecter(client, utilisateur)
    recherche, *lignes = MATRICE[personne]
    attendu = {("recherche", ""): recherche}
    constate = {("recherche", ""): client.get("/demandes/").status_code}
    for nom, ligne in zip(DEMANDES, lignes, strict=True):
        numero = monde["demandes"][nom].numero_unique
        for action, statut in zip(ACTIONS, ligne, strict=True):
            attendu[(nom, action)] = statut
            constate[(nom, action)] = client.get(url(numero, action)).status_code

    assert constate == attendu
