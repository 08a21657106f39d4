import pytest

from sne.audit.models import EvenementAudit
from sne.audit.services import journaliser
from tests.factories import GuichetFactory, agent, gestionnaire
from tests.outils import connecter, texte

pytestmark = pytest.mark.django_db


def test_le_journal_d_un_utilisateur_montre_ses_actions_a_son_gestionnaire(client):
    guichet = GuichetFactory(departements=["93"])
    personne = agent(guichet)
    journaliser(
        EvenementAudit.Action.CONSULTATION,
        utilisateur=personne,
        guichet=guichet,
        resume="Consultation de la demande 093112600000193CO1",
    )
    connecter(client, gestionnaire("93"))

    contenu = texte(client.get(f"/gestion/utilisateurs/{personne.pk}/"))

    assert "Consultation de la demande 093112600000193CO1" in contenu


def test_un_gestionnaire_ne_lit_pas_le_journal_d_un_autre_departement(client):
    guichet = GuichetFactory(departements=["75"])
    personne = agent(guichet)
    journaliser(
        EvenementAudit.Action.CONSULTATION,
        utilisateur=personne,
        guichet=guichet,
        resume="Consultation parisienne",
    )
    connecter(client, gestionnaire("93"))

    assert "Consultation parisienne" not in texte(client.get("/gestion/journal/"))
    assert client.get(f"/gestion/utilisateurs/{personne.pk}/").status_code == 404


def test_le_journal_se_filtre_par_guichet(client):
    g1, g2 = (
        GuichetFactory(code="93JA1", departements=["93"]),
        GuichetFactory(code="93JA2", departements=["93"]),
    )
    journaliser(EvenementAudit.Action.PARAMETRAGE, guichet=g1, resume="un")
    journaliser(EvenementAudit.Action.PARAMETRAGE, guichet=g2, resume="deux")
    connecter(client, gestionnaire("93"))

    evenements = client.get("/gestion/journal/", {"guichet": "93ja1"}).context["evenements"]

    assert [e.resume for e in evenements] == ["un"]


def test_le_journal_d_une_demande_montre_qui_l_a_consultee(client):
    from sne.demandes import services
    from tests.demandes.conftest import donnees_minimales

    guichet = GuichetFactory(departements=["93"])
    personne = agent(guichet)
    demande = services.enregistrer_demande(
        guichet, personne, donnees_minimales(departement="93", souhaits={"communes": ["93066"]})
    )
    services.consulter(demande, personne, guichet)
    connecter(client, gestionnaire("93"))

    evenements = client.get("/gestion/journal/", {"demande": demande.numero_unique}).context[
        "evenements"
    ]

    assert [e.action for e in evenements] == ["consultation", "creation"]
    assert all(e.utilisateur == personne for e in evenements)


def test_le_journal_se_filtre_par_personne_et_par_action_et_ignore_une_action_inconnue(client):
    guichet = GuichetFactory(departements=["93"])
    camille, karim = (
        agent(guichet, email="camille@foyer.fr"),
        agent(guichet, email="karim@foyer.fr"),
    )
    journaliser(EvenementAudit.Action.CONSULTATION, utilisateur=camille, resume="lue par Camille")
    journaliser(EvenementAudit.Action.MODIFICATION, utilisateur=camille, resume="changée")
    journaliser(EvenementAudit.Action.CONSULTATION, utilisateur=karim, resume="lue par Karim")
    connecter(client, gestionnaire("93"))

    def resumes(**filtres):
        return sorted(
            e.resume for e in client.get("/gestion/journal/", filtres).context["evenements"]
        )

    assert resumes(utilisateur=" CAMILLE@ ", action="consultation") == ["lue par Camille"]
    assert resumes(utilisateur="camille", action="inconnue") == ["changée", "lue par Camille"]
    assert resumes(guichet="x" * 300, demande="y" * 300, utilisateur="z" * 300) == []
