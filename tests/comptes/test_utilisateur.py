import pytest
from django.contrib.auth import authenticate
from django.db import IntegrityError

from sne.comptes.models import Utilisateur

pytestmark = pytest.mark.django_db


def test_l_adresse_e_mail_est_l_identifiant_et_elle_est_enregistree_en_minuscules():
    utilisateur = Utilisateur.objects.create_user("  Agent.Dupont@Bailleur.FR ", "un mot de passe")

    assert utilisateur.email == "agent.dupont@bailleur.fr"


def test_deux_comptes_ne_peuvent_partager_une_adresse_quelle_que_soit_sa_casse():
    Utilisateur.objects.create_user("agent@bailleur.fr", "un mot de passe")

    with pytest.raises(IntegrityError):
        Utilisateur.objects.bulk_create([Utilisateur(email="AGENT@bailleur.fr")])


def test_la_connexion_accepte_l_adresse_dans_une_autre_casse(rf):
    Utilisateur.objects.create_user("agent@bailleur.fr", "un mot de passe")
    requete = rf.post("/comptes/connexion/")

    utilisateur = authenticate(requete, username="Agent@Bailleur.fr", password="un mot de passe")

    assert utilisateur is not None


def test_les_mots_de_passe_sont_haches_avec_argon2(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]

    utilisateur = Utilisateur.objects.create_user("agent@bailleur.fr", "un mot de passe")

    assert utilisateur.password.startswith("argon2$")


def test_argon2_est_le_hachage_de_production():
    from sne.settings import base as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert not [h for h in production.PASSWORD_HASHERS if "MD5" in h]


def test_le_nom_complet_met_le_nom_en_capitales():
    utilisateur = Utilisateur(email="a@b.fr", prenom="Élodie", nom="Martin")

    assert utilisateur.nom_complet == "Élodie MARTIN"
