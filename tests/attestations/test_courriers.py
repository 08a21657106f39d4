"""Letters for applicants without e-mail: printed in one go, marked as posted (the proof the
FAQ asks the gestionnaire for)."""

import pytest
from pypdf import PdfReader

from sne.audit.models import EvenementAudit
from sne.demandes import services
from tests.demandes.conftest import donnees_minimales
from tests.factories import GuichetFactory, agent, gestionnaire
from tests.outils import connecter

pytestmark = pytest.mark.django_db


@pytest.fixture
def deux_courriers(django_capture_on_commit_callbacks):
    guichet = GuichetFactory(departements=["93"])
    personne = agent(guichet)
    demandes = []
    for prenom in ("Inès", "Karim"):
        d = donnees_minimales(departement="93", souhaits={"communes": ["93066"]})
        d["demandeur"] = {**d["demandeur"], "prenom": prenom}
        with django_capture_on_commit_callbacks(execute=True):
            demandes.append(services.enregistrer_demande(guichet, personne, d))
    return demandes


def test_le_gestionnaire_imprime_les_courriers_en_un_seul_pdf(client, deux_courriers):
    connecter(client, gestionnaire("93"))

    reponse = client.get("/gestion/courriers/courriers.pdf")

    assert reponse["Content-Type"] == "application/pdf"
    import io

    texte = "".join(page.extract_text() for page in PdfReader(io.BytesIO(reponse.content)).pages)
    for demande in deux_courriers:
        assert demande.numero_unique in texte


def test_marquer_les_courriers_postes_les_retire_et_trace_l_envoi(client, deux_courriers):
    connecter(client, gestionnaire("93"))
    ids = [str(d.attestations.get().pk) for d in deux_courriers]

    client.post("/gestion/courriers/imprimes/", {"attestation": ids})

    assert "Aucun courrier en attente" in client.get("/gestion/courriers/").content.decode()
    assert EvenementAudit.objects.filter(
        objet_id=str(deux_courriers[0].pk), resume__contains="imprimée"
    ).exists()


def test_un_gestionnaire_d_un_autre_departement_ne_voit_pas_ces_courriers(client, deux_courriers):
    connecter(client, gestionnaire("75"))

    assert deux_courriers[0].numero_unique not in client.get("/gestion/courriers/").content.decode()


@pytest.mark.parametrize(
    ("adresse", "action"),
    [
        ("/gestion/courriers/", EvenementAudit.Action.CONSULTATION),
        ("/gestion/courriers/courriers.pdf", EvenementAudit.Action.EXPORT),
    ],
)
def test_la_liste_et_le_pdf_des_courriers_sont_traces_au_journal_de_chaque_demande(
    client, deux_courriers, adresse, action
):
    """Names and addresses are shown: each demande's journal says who saw them (issue 8)."""
    chef = gestionnaire("93")
    connecter(client, chef)

    client.get(adresse)

    for demande in deux_courriers:
        assert EvenementAudit.objects.filter(
            utilisateur=chef, action=action, objet_type="demandes.demande", objet_id=str(demande.pk)
        ).exists()
