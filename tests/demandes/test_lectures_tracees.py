"""Every page that shows an applicant's personal data writes who saw it in the journal of each
demande shown (issue 8): search results and the latest demandes list too, one query a page."""

import pytest
from django.urls import reverse

from sne.audit.models import EvenementAudit
from sne.demandes import services
from tests.demandes.conftest import donnees_minimales
from tests.factories import GuichetFactory, agent
from tests.outils import connecter

pytestmark = pytest.mark.django_db


@pytest.fixture
def demande_et_agent(client):
    guichet = GuichetFactory(code="75TS1", departements=["75"])
    personne = agent(guichet)
    demande = services.enregistrer_demande(guichet, personne, donnees_minimales())
    connecter(client, personne)
    return demande, personne


def _lectures(demande, personne, resume):
    return EvenementAudit.objects.filter(
        utilisateur=personne,
        action=EvenementAudit.Action.CONSULTATION,
        objet_type="demandes.demande",
        objet_id=str(demande.pk),
        resume=resume,
    ).count()


def test_les_resultats_d_une_recherche_par_nom_sont_traces(client, demande_et_agent):
    demande, personne = demande_et_agent
    client.get(reverse("demandes:recherche"), {"nom": "mart"})
    assert _lectures(demande, personne, "Résultats d'une recherche") == 1


def test_la_liste_des_dernieres_demandes_est_tracee(client, demande_et_agent):
    demande, personne = demande_et_agent
    client.get(reverse("demandes:recherche"))
    assert _lectures(demande, personne, "Dernières demandes enregistrées") == 1
