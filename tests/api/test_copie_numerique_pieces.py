"""The pièces in the copie numérique (`GET /api/v1/demandes/{numero}`, issue 14): what each pièce
of the dossier unique is and what happened to it — type, status, dates, file name, motif of a
refusal — never its content."""

import pytest

from sne.comptes import jetons
from sne.demandes import services as demandes
from sne.pieces import services as pieces
from tests.demandes.conftest import donnees_minimales
from tests.factories import GuichetFactory, agent
from tests.pieces import fichiers

pytestmark = pytest.mark.django_db


def test_la_copie_numerique_donne_les_pieces_sans_leur_contenu(antivirus, client):
    guichet = GuichetFactory(code="75PJ2", departements=["75"])
    moi = agent(guichet)
    demande = demandes.enregistrer_demande(guichet, moi, donnees_minimales())
    demandeur = demande.personnes.get(role="demandeur")
    contenu = fichiers.pdf(texte="carte d'identite")
    refusee = pieces.deposer_piece(
        demande,
        contenu,
        type="identite",
        personne=demandeur,
        par=moi,
        guichet=guichet,
        nom="carte.pdf",
    )
    pieces.refuser_piece(refusee, "illisible", par=moi, guichet=guichet)
    nouvelle = pieces.remplacer_piece(
        refusee, fichiers.pdf(texte="recto verso"), par=moi, guichet=guichet, nom="carte-2.pdf"
    )
    pieces.valider_piece(nouvelle, par=moi, guichet=guichet)
    jeton = jetons.creer_jeton(guichet, libelle="Logiciel")[1]

    reponse = client.get(
        f"/api/v1/demandes/{demande.numero_unique}", HTTP_AUTHORIZATION=f"Bearer {jeton}"
    )

    assert reponse.status_code == 200, reponse.content
    premiere, seconde = reponse.json()["pieces"]  # the newest first
    assert premiere["uid"] == str(nouvelle.uid) and seconde["uid"] == str(refusee.uid)
    assert premiere["type"] == "identite" and premiere["statut"] == "validee"
    assert premiere["nom_fichier"] == "carte-2.pdf"
    assert premiere["personne"] == {"id": demandeur.pk, "role": "demandeur", "rang": 1}
    assert premiere["ajoutee_le"] and premiere["analysee_le"] and premiere["decidee_le"]
    assert premiere["origine"] == "guichet" and premiere["guichet"] == "75PJ2"
    assert premiere["fichier_url"] == f"/api/v1/pieces/{nouvelle.uid}/fichier"
    assert seconde["statut"] == "remplacee" and seconde["motif_refus"] == "illisible"
    assert seconde["remplacee_par"] == str(nouvelle.uid) and seconde["nom_fichier"] == "carte.pdf"
    assert seconde["effacee_le"] is None
    assert b"%PDF" not in reponse.content
