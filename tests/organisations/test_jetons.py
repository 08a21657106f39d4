"""The gestionnaire's page of a desk's API tokens: list, create (shown once), revoke after a
confirmation; only for the desks of their départements (a 404 elsewhere), everything logged."""

import pytest

from sne.audit.models import EvenementAudit
from sne.comptes import jetons
from sne.comptes.models import JetonApi
from tests.factories import GuichetFactory, gestionnaire, national
from tests.outils import connecter, texte

pytestmark = pytest.mark.django_db


@pytest.fixture
def guichet_75():
    return GuichetFactory(code="75JP1", departements=["75"])


def test_le_gestionnaire_cree_un_jeton_affiche_une_seule_fois(client, guichet_75):
    connecter(client, gestionnaire("75"))

    reponse = client.post("/gestion/guichets/75JP1/jetons/", {"libelle": "Logiciel X"})

    assert reponse.status_code == 200
    page = texte(reponse)
    jeton = JetonApi.objects.get()
    debut = page.index('id="jeton-en-clair"')
    en_clair = page[debut:].split('value="', 1)[1].split('"', 1)[0]
    assert jetons.jeton_valide(en_clair) == jeton
    assert "il ne sera plus jamais affiché" in page
    assert "no-store" in reponse["Cache-Control"]
    liste = texte(client.get("/gestion/guichets/75JP1/jetons/"))
    assert jeton.prefixe in liste and "Logiciel X" in liste
    assert en_clair not in liste


def test_la_liste_dit_qui_a_cree_quand_la_derniere_utilisation_et_la_revocation(client, guichet_75):
    referente = gestionnaire("75", prenom="Claire", nom="Dubois")
    jeton, en_clair = jetons.creer_jeton(guichet_75, par=referente, libelle="Logiciel X")
    jetons.creer_jeton(guichet_75, libelle="Script de reprise")
    jetons.jeton_valide(en_clair)
    jetons.revoquer_jeton(jeton, par=referente)
    connecter(client, referente)

    page = texte(client.get("/gestion/guichets/75JP1/jetons/"))

    assert "par Claire DUBOIS" in page
    assert "par la ligne de commande" in page
    assert "révoqué" in page and "jamais" in page
    assert page.count("Révoquer<span") == 1  # only the token in service


def test_un_libelle_vide_est_refuse_sur_son_champ(client, guichet_75):
    connecter(client, gestionnaire("75"))

    reponse = client.post("/gestion/guichets/75JP1/jetons/", {"libelle": "  "})

    assert reponse.status_code == 422
    assert "Ce champ est obligatoire" in texte(reponse)
    assert not JetonApi.objects.exists()


def test_la_revocation_demande_confirmation_puis_est_journalisee(client, guichet_75):
    referent = gestionnaire("75")
    jeton, en_clair = jetons.creer_jeton(guichet_75, par=referent, libelle="Logiciel X")
    connecter(client, referent)
    adresse = f"/gestion/guichets/75JP1/jetons/{jeton.pk}/revoquer/"

    confirmation = client.post(adresse)
    assert "Confirmer la révocation" in texte(confirmation)
    jeton.refresh_from_db()
    assert not jeton.est_revoque

    reponse = client.post(adresse, {"confirme": "1"})

    assert reponse.status_code == 302
    jeton.refresh_from_db()
    assert jeton.est_revoque and jeton.revoque_par == referent
    assert jetons.jeton_valide(en_clair) is None
    assert EvenementAudit.objects.filter(action="jeton_api_revoque", guichet=guichet_75).exists()
    assert client.get("/api/v1/moi", HTTP_AUTHORIZATION=f"Bearer {en_clair}").status_code == 401


def test_un_gestionnaire_du_93_ne_voit_ni_ne_cree_ni_ne_revoque_les_jetons_d_un_guichet_du_75(
    client, guichet_75
):
    jeton, _ = jetons.creer_jeton(guichet_75, libelle="Logiciel X")
    connecter(client, gestionnaire("93"))

    assert client.get("/gestion/guichets/75JP1/jetons/").status_code == 404
    assert client.post("/gestion/guichets/75JP1/jetons/", {"libelle": "Pirate"}).status_code == 404
    revocation = f"/gestion/guichets/75JP1/jetons/{jeton.pk}/revoquer/"
    assert client.post(revocation, {"confirme": "1"}).status_code == 404
    assert JetonApi.objects.count() == 1
    jeton.refresh_from_db()
    assert not jeton.est_revoque


def test_le_jeton_d_un_autre_guichet_n_est_pas_revoque_par_l_adresse_d_un_guichet_gere(
    client, guichet_75
):
    ailleurs = GuichetFactory(code="93JP1", departements=["93"])
    jeton, _ = jetons.creer_jeton(ailleurs, libelle="Logiciel Y")
    connecter(client, gestionnaire("75"))

    reponse = client.post(f"/gestion/guichets/75JP1/jetons/{jeton.pk}/revoquer/", {"confirme": "1"})

    assert reponse.status_code == 404
    jeton.refresh_from_db()
    assert not jeton.est_revoque


def test_un_agent_n_a_pas_acces_a_la_page_des_jetons(client, guichet_75):
    from tests.factories import agent

    connecter(client, agent(guichet_75))

    assert client.get("/gestion/guichets/75JP1/jetons/").status_code == 403


def test_l_administration_nationale_gere_les_jetons_de_tous_les_guichets(client, guichet_75):
    connecter(client, national())

    assert client.get("/gestion/guichets/75JP1/jetons/").status_code == 200
    assert client.post("/gestion/guichets/75JP1/jetons/", {"libelle": "X"}).status_code == 200


def test_la_page_du_guichet_mene_aux_jetons_sans_lister_le_compte_technique(client, guichet_75):
    jetons.creer_jeton(guichet_75, libelle="Logiciel X")
    connecter(client, gestionnaire("75"))

    page = texte(client.get("/gestion/guichets/75JP1/"))

    assert "1 jeton d'accès en service" in page
    assert "/gestion/guichets/75JP1/jetons/" in page
    assert "api.sne.invalid" not in page
