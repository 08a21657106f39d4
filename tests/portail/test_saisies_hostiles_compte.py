"""No input makes a 500 on the applicant's pages: the walk of tests/test_saisies_hostiles.py
(every field of every form, one at a time, with hostile values), as a visitor and as a
signed-in applicant, on SQLite and PostgreSQL."""

import pytest

from sne.portail import services_compte as services
from tests import test_saisies_hostiles as marche
from tests.portail.conftest import NAISSANCE, ouvrir_session_portail

pytestmark = pytest.mark.django_db

DECONNEXION = "/portail/deconnexion/"
RENONCER = "/portail/ma-demande/renoncer/"


def test_aucune_saisie_hostile_d_un_visiteur_du_portail_ne_provoque_d_erreur_500(
    client, monkeypatch
):
    monkeypatch.setattr(marche, "EXCLUES", (*marche.EXCLUES, DECONNEXION))
    erreurs = marche._parcourir(
        client,
        ["/portail/", "/portail/connexion/", "/portail/code/", "/portail/activation/x/"],
    )
    assert not erreurs, "\n".join(erreurs)


def test_aucune_saisie_hostile_du_demandeur_connecte_ne_provoque_d_erreur_500(
    client, demande, code, monkeypatch
):
    # The FAQ's question waits for an answer: its page is walked too.
    resultat = services.verifier_connexion(
        demande.numero_unique, NAISSANCE, "autre@example.fr", code, "192.0.2.1"
    )
    assert resultat.etat == services.Connexion.EMAIL_A_CONFIRMER
    ouvrir_session_portail(client, demande)
    session = client.get("/portail/").wsgi_request.portail
    session["email_a_confirmer"] = {
        "demande": demande.pk,
        "email": "autre@example.fr",
        "le": "2999-01-01T00:00:00+00:00",
    }
    session.save()
    # The renunciation last: it makes the demande read-only.
    exclues = marche.EXCLUES
    monkeypatch.setattr(marche, "EXCLUES", (*exclues, DECONNEXION, RENONCER))
    erreurs = marche._parcourir(
        client,
        [
            "/portail/ma-demande/",
            "/portail/ma-demande/modifier/",
            "/portail/connexion/adresse-electronique/",
            "/portail/ma-demande/renouveler/",
        ],
    )
    monkeypatch.setattr(marche, "EXCLUES", (*exclues, DECONNEXION))
    erreurs += marche._parcourir(client, [RENONCER])
    assert not erreurs, "\n".join(erreurs)
    # The walk was signed in all along: its changes and, last, the renunciation are recorded.
    demande.refresh_from_db()
    assert demande.historique.filter(action="modification").exists()
    assert not demande.est_active
