"""The desk's agents follow their lots on /lots/: progress, per-line results (filtered by
statut, paginated), links to the registered demandes and to the lot's PDF; another desk's lot
is not found."""

import io
import json

import pytest

from sne.comptes.jetons import compte_systeme
from sne.lots import services
from tests.demandes.conftest import donnees_minimales
from tests.factories import GuichetFactory, agent
from tests.outils import texte

pytestmark = pytest.mark.django_db


@pytest.fixture
def bailleur():
    return GuichetFactory(code="75TL1", departements=["75"])


@pytest.fixture
def lot(bailleur):
    donnees = donnees_minimales(reference_externe="DOSSIER-1")
    corps = json.dumps(donnees).encode() + b"\n" + b'{"reference_externe": "DOSSIER-2"}\n'
    lot, _ = services.recevoir_lot(
        bailleur, compte_systeme(bailleur), io.BytesIO(corps), taille_max=10**6
    )
    services.traiter_lot(lot.pk, lot.bail_par)
    lot.refresh_from_db()
    return lot


def test_l_agent_voit_les_lots_de_son_guichet_et_leur_avancement(client, bailleur, lot):
    client.force_login(agent(bailleur, "consultation"))

    reponse = client.get("/lots/")

    assert reponse.status_code == 200
    page = texte(reponse)
    assert "Lots reçus des systèmes connectés" in page
    assert '<progress max="2" value="2"' in page
    assert f"/lots/{lot.pk}/" in page
    assert 'href="/lots/"' in page  # in the navigation
    assert "hx-trigger" not in page  # nothing in progress: no refresh


def test_un_lot_en_cours_se_rafraichit_tout_seul(client, bailleur):
    lot, _ = services.recevoir_lot(
        bailleur, compte_systeme(bailleur), io.BytesIO(b"[]\n"), taille_max=10**6
    )
    client.force_login(agent(bailleur))

    for adresse in ("/lots/", f"/lots/{lot.pk}/"):
        page = texte(client.get(adresse))
        assert 'hx-trigger="every 3s"' in page
        assert 'http-equiv="refresh"' not in page


def test_la_page_du_lot_montre_chaque_ligne_et_filtre_par_statut(client, bailleur, lot):
    client.force_login(agent(bailleur))
    numero = lot.lignes.get(ligne=1).numero_unique

    page = texte(client.get(f"/lots/{lot.pk}/"))
    assert f'href="/demandes/{numero}/"' in page
    assert "DOSSIER-2" in page and "Ce champ est obligatoire." in page
    assert f'href="/lots/{lot.pk}/attestations.pdf"' in page

    rejetees = texte(client.get(f"/lots/{lot.pk}/?statut=rejetee"))
    assert "DOSSIER-2" in rejetees and numero not in rejetees
    inconnu = client.get(f"/lots/{lot.pk}/?statut=n_importe_quoi&page=abc")
    assert inconnu.status_code == 200


def test_le_pdf_du_lot_se_telecharge_depuis_la_page(
    client, bailleur, lot, django_capture_on_commit_callbacks
):
    from sne.notifications.services import envoyer_attestation

    envoyer_attestation(lot.lignes.get(ligne=1).demande_id, "enregistrement")
    client.force_login(agent(bailleur))

    reponse = client.get(f"/lots/{lot.pk}/attestations.pdf")

    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/pdf"


def test_le_pdf_en_preparation_renvoie_a_la_page_du_lot_avec_un_message(client, bailleur, lot):
    client.force_login(agent(bailleur))

    reponse = client.get(f"/lots/{lot.pk}/attestations.pdf", follow=True)

    assert reponse.redirect_chain[-1][0] == f"/lots/{lot.pk}/"
    assert "encore en préparation" in texte(reponse)


def test_le_lot_d_un_autre_guichet_est_introuvable(client, lot):
    autre = GuichetFactory(code="75TL2", departements=["75"])
    client.force_login(agent(autre))

    assert client.get(f"/lots/{lot.pk}/").status_code == 404
    assert client.get(f"/lots/{lot.pk}/attestations.pdf").status_code == 404
    assert str(lot.pk) not in texte(client.get("/lots/"))


def test_sans_habilitation_la_page_des_lots_est_refusee(client):
    from tests.factories import UtilisateurFactory

    client.force_login(UtilisateurFactory())

    assert client.get("/lots/").status_code == 403
    assert client.get("/lots/", follow=False).status_code == 403


def test_la_liste_des_lots_fait_autant_de_requetes_pour_20_lots_que_pour_2(client, bailleur):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sne.lots.models import Lot

    client.force_login(agent(bailleur))

    def requetes_pour(n: int) -> int:
        for _ in range(n):
            contenu = b"[%d]\n" % Lot.objects.count()  # each lot its own content
            services.recevoir_lot(
                bailleur, compte_systeme(bailleur), io.BytesIO(contenu), taille_max=99
            )
        with CaptureQueriesContext(connection) as requetes:
            assert client.get("/lots/").status_code == 200
        return len(requetes)

    assert requetes_pour(2) == requetes_pour(18)
    assert Lot.objects.count() == 20
