import pytest

from sne.comptes.models import Utilisateur
from sne.demo.donnees import COMPTES as COMPTES_DEMO
from sne.demo.donnees import MOT_DE_PASSE_DEMO
from sne.demo.donnees import creer_donnees_demo as creer_comptes_demo
from tests.outils import connecter

pytestmark = pytest.mark.django_db


def test_la_page_de_connexion_est_en_francais_et_demande_l_adresse_e_mail(client):
    contenu = client.get("/comptes/connexion/").content.decode()

    assert '<html lang="fr"' in contenu
    assert "Connexion à l'application nationale" in contenu
    assert "Adresse e-mail" in contenu
    assert "Mot de passe" in contenu


def test_un_agent_se_connecte_avec_son_adresse_e_mail(client):
    Utilisateur.objects.create_user("agent@bailleur.fr", "un mot de passe")

    reponse = client.post(
        "/comptes/connexion/", {"username": "agent@bailleur.fr", "password": "un mot de passe"}
    )

    assert reponse.status_code == 302
    assert client.get("/").context["user"].email == "agent@bailleur.fr"


def test_un_mauvais_mot_de_passe_est_explique_sans_dire_si_le_compte_existe(client):
    Utilisateur.objects.create_user("agent@bailleur.fr", "un mot de passe")

    contenu = client.post(
        "/comptes/connexion/", {"username": "agent@bailleur.fr", "password": "faux"}
    ).content.decode()

    assert "Adresse e-mail ou mot de passe incorrect" in contenu


def test_une_adresse_mal_formee_est_signalee_sur_le_champ(client):
    contenu = client.post(
        "/comptes/connexion/", {"username": "agent@bailleur,fr", "password": "x"}
    ).content.decode()

    assert "fr-input-group--error" in contenu


def test_les_comptes_de_demonstration_sont_crees_une_seule_fois():
    creer_comptes_demo()
    creer_comptes_demo()

    assert Utilisateur.objects.count() == len(COMPTES_DEMO)
    admin = Utilisateur.objects.get(email=COMPTES_DEMO[0]["email"])
    assert admin.is_superuser
    assert admin.check_password(MOT_DE_PASSE_DEMO)


def test_la_deconnexion_ramene_a_l_accueil(client):
    utilisateur = Utilisateur.objects.create_user("agent@bailleur.fr", "un mot de passe")
    connecter(client, utilisateur)

    reponse = client.post("/comptes/deconnexion/")

    assert reponse.status_code == 302
    assert reponse["Location"] == "/"
