"""The industrial scanner through the API (issue 14): `POST /api/v1/numeriseur/lots` with a ZIP
body, `GET /api/v1/numeriseur/lots/{id}` for its report — with the token's desk only."""

from copy import deepcopy

import pytest

from sne.comptes import jetons
from sne.comptes.droits import oublier_droits
from sne.comptes.models import Habilitation
from sne.demandes import services as demandes
from sne.pieces import numeriseur
from sne.pieces.models import LigneNumeriseur, LotNumeriseur, Piece
from tests.factories import GuichetFactory, PointContactFactory, agent
from tests.pieces import fichiers
from tests.pieces.conftest import DONNEES

pytestmark = pytest.mark.django_db

ROUTE = "/api/v1/numeriseur/lots"


@pytest.fixture
def guichet():
    g = GuichetFactory(code="93NU1", departements=["93"])
    PointContactFactory(guichet=g)
    return g


def entete_de(guichet) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {jetons.creer_jeton(guichet, libelle='Numériseur')[1]}"}


@pytest.fixture
def entete(guichet):
    return entete_de(guichet)


@pytest.fixture
def demande(guichet, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return demandes.enregistrer_demande(guichet, agent(guichet), deepcopy(DONNEES))


@pytest.fixture
def dossier_des_lots(settings, tmp_path):
    settings.SNE_DOSSIER_LOTS = str(tmp_path / "lots")
    return tmp_path / "lots" / "numeriseur"


def lot_zip(numero: str, lignes: int = 1) -> bytes:
    """A lot of `lignes` pièces for the demande `numero`: the first an identity PDF, the next
    ones numbered lines whose files are absent (each rejected on its own)."""
    manifeste = "numero_unique;type;fichier\n" + f"{numero};identite;a.pdf\n"
    manifeste += "".join(f"{numero};autre;absent-{i}.pdf\n" for i in range(2, lignes + 1))
    return fichiers.zip_de({"manifeste.csv": manifeste.encode(), "a.pdf": fichiers.pdf()})


def poster(client, entete, corps: bytes, type_de_contenu="application/zip", **extra):
    return client.post(ROUTE, corps, content_type=type_de_contenu, **entete, **extra)


def probleme(reponse, statut: int) -> dict:
    assert reponse.status_code == statut, reponse.content
    assert reponse["Content-Type"].startswith("application/problem+json")
    assert reponse.json()["detail"]
    return reponse.json()


def test_un_lot_est_recu_202_puis_son_resultat_se_lit(
    antivirus, client, entete, demande, dossier_des_lots, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reponse = poster(client, entete, lot_zip(demande.numero_unique, lignes=2))

    assert reponse.status_code == 202, reponse.content
    corps = reponse.json()
    assert reponse["Location"] == f"{ROUTE}/{corps['id']}"
    assert (corps["etat"], corps["total"], corps["attachees"], corps["rejetees"]) == (
        "recu",
        2,
        0,
        0,
    )
    lecture = client.get(reponse["Location"], **entete)
    assert lecture.status_code == 200, lecture.content
    rapport = lecture.json()
    assert (rapport["etat"], rapport["attachees"], rapport["rejetees"]) == ("termine", 1, 1)
    assert rapport["termine_le"] and rapport["suite"] is None
    premiere, seconde = rapport["lignes"]
    assert premiere["resultat"] == "attachee" and premiere["code"] == ""
    assert premiere["piece"] == str(Piece.objects.get(demande=demande).uid)
    assert (seconde["ligne"], seconde["resultat"], seconde["code"]) == (
        3,
        "rejetee",
        "fichier_absent",
    )
    assert "absent-2.pdf" in seconde["message"]
    assert not list(dossier_des_lots.iterdir())  # the ZIP is erased once processed


def test_les_lignes_se_lisent_par_pages_et_par_resultat(
    antivirus, client, entete, demande, dossier_des_lots, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        adresse = poster(client, entete, lot_zip(demande.numero_unique, lignes=5))["Location"]

    page = client.get(adresse, {"limite": 2}, **entete).json()
    assert [ligne["ligne"] for ligne in page["lignes"]] == [2, 3] and page["suite"] == 3
    page = client.get(adresse, {"limite": 2, "apres_ligne": 3}, **entete).json()
    assert [ligne["ligne"] for ligne in page["lignes"]] == [4, 5] and page["suite"] == 5
    page = client.get(adresse, {"limite": 2, "apres_ligne": 5}, **entete).json()
    assert [ligne["ligne"] for ligne in page["lignes"]] == [6] and page["suite"] is None

    rejetees = client.get(adresse, {"resultat": "rejetee"}, **entete).json()["lignes"]
    assert [ligne["ligne"] for ligne in rejetees] == [3, 4, 5, 6]
    attachees = client.get(adresse, {"resultat": "attachee"}, **entete).json()["lignes"]
    assert [ligne["ligne"] for ligne in attachees] == [2]
    assert client.get(adresse, {"resultat": "en_attente"}, **entete).json()["lignes"] == []

    for mauvais in ({"resultat": "perdue"}, {"limite": 0}, {"limite": 1001}, {"apres_ligne": -1}):
        assert probleme(client.get(adresse, mauvais, **entete), 422)["code"] == "donnees_invalides"


def test_un_lot_inconnu_ou_d_un_autre_guichet_est_introuvable(
    client, entete, demande, dossier_des_lots, django_capture_on_commit_callbacks
):
    reponse = poster(client, entete, lot_zip(demande.numero_unique))
    assert reponse.status_code == 202, reponse.content
    adresse = reponse["Location"]

    autre = entete_de(GuichetFactory(code="93NU2", departements=["93"]))
    assert probleme(client.get(adresse, **autre), 404)["code"] == "lot_introuvable"
    inconnu = f"{ROUTE}/{'0' * 8}-0000-4000-8000-{'0' * 12}"
    assert probleme(client.get(inconnu, **entete), 404)["code"] == "lot_introuvable"
    assert probleme(client.get(f"{ROUTE}/pas-un-uuid", **entete), 422)["code"] == (
        "donnees_invalides"
    )
    assert client.get(adresse, **entete).status_code == 200


def test_sans_jeton_401(client, dossier_des_lots):
    assert probleme(poster(client, {}, lot_zip("x")), 401)["code"] == "jeton_invalide"
    assert not LotNumeriseur.objects.exists()


def test_un_guichet_non_parametre_ou_un_compte_sans_saisie_recoit_403(
    client, guichet, entete, demande, dossier_des_lots
):
    nouveau = GuichetFactory(code="93NU3", departements=["93"], a_parametrer=True)
    reponse = poster(client, entete_de(nouveau), lot_zip(demande.numero_unique))
    assert probleme(reponse, 403)["code"] == "guichet_non_parametre"

    compte = jetons.compte_systeme(guichet)
    Habilitation.objects.filter(utilisateur=compte).update(role=Habilitation.Role.CONSULTATION)
    oublier_droits(compte)
    reponse = poster(client, entete, lot_zip(demande.numero_unique))
    assert probleme(reponse, 403)["code"] == "saisie_non_autorisee"
    assert not LotNumeriseur.objects.exists()
    assert not dossier_des_lots.exists() or not list(dossier_des_lots.iterdir())


def test_sans_content_length_par_morceaux_411(client, entete, demande, dossier_des_lots):
    reponse = poster(
        client, entete, lot_zip(demande.numero_unique), HTTP_TRANSFER_ENCODING="chunked"
    )
    assert probleme(reponse, 411)["code"] == "longueur_requise"
    assert not LotNumeriseur.objects.exists()


def test_un_lot_trop_gros_413(client, settings, entete, demande, dossier_des_lots):
    contenu = lot_zip(demande.numero_unique)
    settings.SNE_API_TAILLE_MAX_NUMERISEUR = len(contenu) - 1

    reponse = poster(client, entete, contenu)

    assert probleme(reponse, 413)["code"] == "corps_trop_volumineux"
    assert not LotNumeriseur.objects.exists()
    assert not dossier_des_lots.exists() or not list(dossier_des_lots.iterdir())


@pytest.mark.parametrize(
    "type_de_contenu", ["application/json", "multipart/form-data; boundary=x", "text/csv", ""]
)
def test_un_lot_qui_n_est_pas_un_zip_415(
    client, entete, demande, dossier_des_lots, type_de_contenu
):
    reponse = poster(client, entete, lot_zip(demande.numero_unique), type_de_contenu)
    assert probleme(reponse, 415)["code"] == "type_de_contenu_non_accepte"
    assert not LotNumeriseur.objects.exists()


def test_un_zip_illisible_422_et_rien_de_garde(client, entete, dossier_des_lots):
    reponse = poster(client, entete, b"PK\x03\x04 pas vraiment un zip")
    assert probleme(reponse, 422)["code"] == "zip_illisible"
    assert not LotNumeriseur.objects.exists() and not LigneNumeriseur.objects.exists()
    assert not list(dossier_des_lots.iterdir())


def test_le_type_zip_windows_est_accepte(client, entete, demande, dossier_des_lots):
    reponse = poster(client, entete, lot_zip(demande.numero_unique), "application/x-zip-compressed")
    assert reponse.status_code == 202, reponse.content
    assert numeriseur.TYPES_DE_CONTENU == ("application/zip", "application/x-zip-compressed")
