import pytest

pytestmark = pytest.mark.django_db


def test_la_page_d_accueil_dit_ce_qu_est_le_systeme(client):
    reponse = client.get("/")

    contenu = reponse.content.decode()
    assert reponse.status_code == 200
    assert "Système National d'Enregistrement" in contenu
    assert "numéro unique" in contenu
    assert "fr-header" in contenu
    assert 'href="#content"' in contenu  # lien d'évitement


def test_une_page_inconnue_est_une_404_en_francais(client, settings):
    settings.DEBUG = False

    reponse = client.get("/nulle-part/")

    assert reponse.status_code == 404
    assert "Page introuvable" in reponse.content.decode()


def test_le_fuseau_et_la_langue_sont_ceux_de_la_france(settings):
    assert settings.TIME_ZONE == "Europe/Paris"
    assert settings.LANGUAGE_CODE == "fr"
