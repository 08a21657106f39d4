"""The role matrix: each person sees and does only what their habilitations allow."""

from datetime import date

import pytest
from django.db import IntegrityError

from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser
from sne.comptes.droits import droits_de, journal_visible_par
from sne.comptes.models import Habilitation, Utilisateur
from sne.organisations.models import Guichet
from tests.factories import (
    GuichetFactory,
    UtilisateurFactory,
    agent,
    gestionnaire,
    habiliter,
    national,
)
from tests.outils import a_midi, connecter

pytestmark = pytest.mark.django_db


@pytest.fixture
def monde():
    """Two desks (Saint-Denis in 93, a landlord in 75) and one person of each kind."""
    g93 = GuichetFactory(code="93CO9", departements=["93"], communes=["93066"])
    g75 = GuichetFactory(code="75BA9", departements=["75", "92"])
    return {
        "g93": g93,
        "g75": g75,
        "anonyme": None,
        "saisie_93": agent(g93, "saisie"),
        "consultation_93": agent(g93, "consultation"),
        "gestionnaire_93": gestionnaire("93"),
        "gestionnaire_75": gestionnaire("75"),
        "national": national(),
    }


PAGES = ["/gestion/", "/gestion/guichets/", "/gestion/utilisateurs/", "/gestion/journal/"]

# person → (status of the back-office pages, status of desk 93CO9's page, of desk 75BA9's page)
MATRICE = {
    "anonyme": (302, 302, 302),
    "saisie_93": (403, 403, 403),
    "consultation_93": (403, 403, 403),
    "gestionnaire_93": (200, 200, 404),
    "gestionnaire_75": (200, 404, 200),
    "national": (200, 200, 200),
}


@pytest.mark.parametrize("personne", MATRICE)
def test_chaque_role_n_ouvre_que_les_pages_de_gestion_qui_le_concernent(client, monde, personne):
    if monde[personne]:
        connecter(client, monde[personne])
    pages, page_93, page_75 = MATRICE[personne]

    for url in PAGES:
        assert client.get(url).status_code == pages, url
    assert client.get("/gestion/guichets/93CO9/").status_code == page_93
    assert client.get("/gestion/guichets/75BA9/").status_code == page_75


def test_les_guichets_visibles_suivent_les_habilitations(monde):
    def codes(personne):
        return set(Guichet.objects.visibles_par(monde[personne]).values_list("code", flat=True))

    assert codes("saisie_93") == {"93CO9"}
    assert codes("consultation_93") == {"93CO9"}
    assert codes("gestionnaire_93") == {"93CO9"}
    assert codes("gestionnaire_75") == {"75BA9"}
    assert {"93CO9", "75BA9"} <= codes("national")


def test_un_gestionnaire_ne_voit_que_les_utilisateurs_de_ses_departements(monde):
    visibles = Utilisateur.objects.visibles_par(monde["gestionnaire_75"])

    assert monde["saisie_93"] not in visibles
    assert monde["gestionnaire_75"] in visibles
    assert monde["saisie_93"] in Utilisateur.objects.visibles_par(monde["gestionnaire_93"])
    assert list(Utilisateur.objects.visibles_par(monde["saisie_93"])) == [monde["saisie_93"]]


def test_un_gestionnaire_lit_le_journal_des_guichets_et_des_personnes_de_ses_departements(monde):
    agent_75 = agent(monde["g75"])
    consultation = EvenementAudit.Action.CONSULTATION
    journaliser(consultation, guichet=monde["g75"], resume="au guichet 75BA9")
    journaliser(consultation, utilisateur=agent_75, resume="par un agent de 75BA9")
    journaliser(consultation, utilisateur=monde["gestionnaire_75"], resume="par le gestionnaire")
    journaliser(consultation, guichet=monde["g93"], resume="au guichet 93CO9")
    journaliser(consultation, utilisateur=monde["saisie_93"], resume="par un agent de 93CO9")

    def lu_par(personne):
        return sorted(e.resume for e in journal_visible_par(monde[personne]))

    assert lu_par("gestionnaire_75") == [
        "au guichet 75BA9",
        "par le gestionnaire",
        "par un agent de 75BA9",
    ]
    assert lu_par("gestionnaire_93") == ["au guichet 93CO9", "par un agent de 93CO9"]
    assert len(lu_par("national")) == 5
    assert lu_par("saisie_93") == []
    assert lu_par("anonyme") == []


def test_le_journal_montre_une_fois_l_entree_d_un_guichet_de_deux_departements_geres(monde):
    gestionnaire_75_92 = habiliter(gestionnaire("75"), "gestionnaire", departement="92")
    journaliser(EvenementAudit.Action.PARAMETRAGE, guichet=monde["g75"], resume="périmètre")

    assert [e.resume for e in journal_visible_par(gestionnaire_75_92)] == ["périmètre"]


def test_les_droits_distinguent_saisie_et_consultation(monde):
    g93 = monde["g93"]

    assert droits_de(monde["saisie_93"]).saisit_pour(g93)
    assert droits_de(monde["saisie_93"]).consulte_pour(g93)
    assert not droits_de(monde["consultation_93"]).saisit_pour(g93)
    assert droits_de(monde["consultation_93"]).consulte_pour(g93)
    assert not droits_de(monde["gestionnaire_93"]).saisit_pour(g93)


@pytest.mark.aujourd_hui(date(2025, 3, 3))
def test_une_habilitation_echue_ne_donne_plus_aucun_droit(monde, horloge):
    agent_93 = monde["saisie_93"]
    Habilitation.objects.filter(utilisateur=agent_93).update(date_fin=date(2025, 3, 31))

    horloge.move_to(a_midi(date(2025, 3, 31)))
    assert droits_de(Utilisateur.objects.get(pk=agent_93.pk)).a_une_habilitation
    horloge.move_to(a_midi(date(2025, 4, 1)))
    assert not droits_de(Utilisateur.objects.get(pk=agent_93.pk)).a_une_habilitation


def test_un_guichet_desactive_ne_donne_plus_de_droits_a_ses_agents(monde):
    Guichet.objects.filter(pk=monde["g93"].pk).update(actif=False)

    assert not droits_de(Utilisateur.objects.get(pk=monde["saisie_93"].pk)).a_une_habilitation


def test_la_base_refuse_une_habilitation_incoherente():
    personne = UtilisateurFactory()
    with pytest.raises(IntegrityError):
        Habilitation.objects.create(utilisateur=personne, role="saisie")


def test_la_base_refuse_deux_habilitations_sur_le_meme_guichet(monde):
    with pytest.raises(IntegrityError):
        Habilitation.objects.create(
            utilisateur=monde["saisie_93"], role="consultation", guichet=monde["g93"]
        )
