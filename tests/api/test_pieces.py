"""The pièces of the dossier unique through the API (issue 14): list, add as multipart, read a
file — each through `sne.pieces.services`, with the token's desk, within its scope."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sne.audit.models import EvenementAudit
from sne.comptes import jetons
from sne.demandes import services as demandes
from sne.pieces.models import Piece
from sne.referentiels.models import Departement
from tests.demandes.conftest import donnees_minimales
from tests.factories import GuichetFactory, agent
from tests.pieces import fichiers

pytestmark = pytest.mark.django_db


@pytest.fixture
def guichet():
    return GuichetFactory(code="75PJ1", departements=["75"])


def entete_de(guichet) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {jetons.creer_jeton(guichet, libelle='Logiciel')[1]}"}


@pytest.fixture
def entete(guichet):
    return entete_de(guichet)


@pytest.fixture
def demande(guichet):
    return demandes.enregistrer_demande(guichet, agent(guichet), donnees_minimales())


def envoyer(client, entete, numero, contenu=None, type="identite", **champs):
    fichier = SimpleUploadedFile("carte.pdf", fichiers.pdf() if contenu is None else contenu)
    entetes = {**entete, **{k: v for k, v in champs.items() if k.startswith("HTTP_")}}
    champs = {k: v for k, v in champs.items() if not k.startswith("HTTP_")}
    return client.post(
        f"/api/v1/demandes/{numero}/pieces",
        {"fichier": fichier, "type": type, **champs},
        **entetes,
    )


def probleme(reponse, statut: int) -> dict:
    assert reponse.status_code == statut, reponse.content
    assert reponse["Content-Type"].startswith("application/problem+json")
    return reponse.json()


def test_une_piece_envoyee_en_multipart_est_ajoutee_au_dossier(antivirus, client, entete, demande):
    demandeur = demande.personnes.get(role="demandeur")
    reponse = envoyer(client, entete, demande.numero_unique, personne=str(demandeur.pk))

    assert reponse.status_code == 201, reponse.content
    assert reponse["Location"] == f"/api/v1/demandes/{demande.numero_unique}/pieces"
    corps = reponse.json()
    piece = Piece.objects.get()
    assert corps["uid"] == str(piece.uid)
    assert corps["origine"] == "api" and corps["guichet"] == "75PJ1"
    assert corps["statut"] == "recue" and corps["lisible"] is True
    assert corps["personne"] == {"id": demandeur.pk, "role": "demandeur", "rang": 1}
    assert corps["type_contenu"] == "application/pdf" and corps["pages"] == 1
    assert demandeur.nom not in reponse.content.decode()


def test_la_liste_des_pieces_est_lue_et_journalisee(antivirus, client, entete, demande):
    envoyer(client, entete, demande.numero_unique)
    envoyer(client, entete, demande.numero_unique, contenu=fichiers.png(), type="ressources")

    reponse = client.get(f"/api/v1/demandes/{demande.numero_unique}/pieces", **entete)

    assert reponse.status_code == 200
    assert "no-store" in reponse["Cache-Control"]
    pieces = reponse.json()["pieces"]
    assert [p["type"] for p in pieces] == ["ressources", "identite"]
    assert pieces[0]["personne"] is None
    assert pieces[0]["libelle"].startswith("Ressources mensuelles")
    assert EvenementAudit.objects.filter(
        action=EvenementAudit.Action.CONSULTATION, resume__contains="pièces"
    ).exists()


def test_le_fichier_d_une_piece_est_servi_sans_cache_et_journalise(
    antivirus, client, entete, demande
):
    uid = envoyer(client, entete, demande.numero_unique).json()["uid"]

    reponse = client.get(f"/api/v1/pieces/{uid}/fichier", **entete)

    assert reponse.status_code == 200
    assert reponse.content == fichiers.pdf()
    assert reponse["Content-Type"] == "application/pdf"
    assert reponse["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in reponse["Cache-Control"]
    assert reponse["Content-Disposition"].startswith("attachment;")
    assert EvenementAudit.objects.filter(action=EvenementAudit.Action.TELECHARGEMENT).count() == 1


def test_un_autre_type_de_corps_est_refuse_avec_415(client, entete, demande):
    reponse = client.post(
        f"/api/v1/demandes/{demande.numero_unique}/pieces",
        {"type": "identite"},
        content_type="application/json",
        **entete,
    )
    assert probleme(reponse, 415)["code"] == "type_de_contenu_non_accepte"
    assert "multipart/form-data" in reponse.json()["detail"]
    # The other endpoints still refuse a form.
    reponse = client.post(
        f"/api/v1/demandes/{demande.numero_unique}/radiation", {"motif": "renonciation"}, **entete
    )
    assert probleme(reponse, 415)["code"] == "type_de_contenu_non_accepte"


def test_un_fichier_trop_gros_est_refuse_avant_d_etre_lu(client, entete, demande, settings):
    settings.SNE_PIECES_TAILLE_MAX = 1000
    reponse = envoyer(client, entete, demande.numero_unique, contenu=b"%PDF-" + b"x" * 200_000)
    assert probleme(reponse, 413)["code"] == "corps_trop_volumineux"
    assert not Piece.objects.exists()


def test_un_fichier_plus_gros_qu_un_corps_json_est_accepte(antivirus, client, entete, demande):
    # Above the JSON body's limit (1 Mio) and above what Django keeps in memory (2,5 Mo).
    grand = fichiers.pdf(pages=1, texte="x" * 3_000_000)
    assert len(grand) > 2_621_440
    reponse = envoyer(client, entete, demande.numero_unique, contenu=grand)
    assert reponse.status_code == 201, reponse.content
    assert Piece.objects.get().taille == len(grand)


@pytest.mark.parametrize(
    ("contenu", "code"),
    [
        (b"", "fichier_vide"),
        (b"MZ\x90\x00 un programme", "type_non_accepte"),
        (fichiers.pdf_avec_lancement(), "pdf_actif"),
    ],
)
def test_un_fichier_refuse_dit_pourquoi(antivirus, client, entete, demande, contenu, code):
    reponse = envoyer(client, entete, demande.numero_unique, contenu=contenu)
    assert probleme(reponse, 422)["code"] == code
    assert not Piece.objects.exists()


def test_un_type_inconnu_ou_une_personne_d_ailleurs_sont_refuses(client, entete, demande):
    reponse = envoyer(client, entete, demande.numero_unique, type="photo")
    assert probleme(reponse, 422)["code"] == "donnees_invalides"
    reponse = envoyer(client, entete, demande.numero_unique, personne="999999")
    assert probleme(reponse, 422)["code"] == "personne_hors_menage"
    reponse = envoyer(client, entete, demande.numero_unique, personne="abc")
    assert probleme(reponse, 422)["code"] == "donnees_invalides"


def test_le_meme_fichier_deux_fois_repond_409(antivirus, client, entete, demande):
    premier = envoyer(client, entete, demande.numero_unique).json()
    corps = probleme(envoyer(client, entete, demande.numero_unique), 409)
    assert corps["code"] == "piece_deja_deposee"
    assert corps["piece"] == premier["uid"]


def test_la_meme_cle_d_idempotence_rend_la_meme_reponse(antivirus, client, entete, demande):
    premier = envoyer(client, entete, demande.numero_unique, HTTP_IDEMPOTENCY_KEY="cle-1")
    second = envoyer(client, entete, demande.numero_unique, HTTP_IDEMPOTENCY_KEY="cle-1")
    assert premier.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json() == premier.json()
    autre = envoyer(
        client,
        entete,
        demande.numero_unique,
        contenu=fichiers.png(),
        HTTP_IDEMPOTENCY_KEY="cle-1",
    )
    assert probleme(autre, 422)["code"] == "cle_idempotence_reutilisee"
    assert Piece.objects.count() == 1


def test_hors_du_perimetre_la_demande_est_introuvable_et_la_piece_interdite(
    antivirus, client, entete, demande
):
    uid = envoyer(client, entete, demande.numero_unique).json()["uid"]
    ailleurs = entete_de(GuichetFactory(code="93PJ2", departements=["93"]))

    reponse = client.get(f"/api/v1/demandes/{demande.numero_unique}/pieces", **ailleurs)
    assert probleme(reponse, 404)["code"] == "demande_introuvable"
    reponse = envoyer(client, ailleurs, demande.numero_unique, contenu=fichiers.png())
    assert probleme(reponse, 404)["code"] == "demande_introuvable"
    reponse = client.get(f"/api/v1/pieces/{uid}/fichier", **ailleurs)
    assert probleme(reponse, 403)["code"] == "non_autorise"
    assert EvenementAudit.objects.filter(action=EvenementAudit.Action.ACCES_REFUSE).exists()
    reponse = client.get(f"/api/v1/pieces/{'0' * 8}-0000-4000-8000-{'0' * 12}/fichier", **entete)
    assert probleme(reponse, 404)["code"] == "piece_introuvable"
    reponse = client.get("/api/v1/pieces/pas-un-uuid/fichier", **entete)
    assert probleme(reponse, 422)["code"] == "donnees_invalides"


def test_un_guichet_qui_consulte_sans_saisir_recoit_403(client, demande):
    lecteur = GuichetFactory(code="92PJ3", departements=["92"])
    lecteur.consultation_departements.add(Departement.objects.get(code="75"))
    reponse = envoyer(client, entete_de(lecteur), demande.numero_unique)
    assert probleme(reponse, 403)["code"] == "departement_non_habilite"


def test_piece_ajoutee_passe_sur_le_flux_sans_donnee_personnelle(
    antivirus, client, entete, demande
):
    envoyer(client, entete, demande.numero_unique)

    reponse = client.get("/api/v1/evenements?apres=0", **entete)

    evenement = reponse.json()["evenements"][-1]
    assert evenement["type"] == "piece_ajoutee"
    assert evenement["champs"] == ["pieces"]
    assert evenement["code_fichier"] is None
    assert evenement["numero_unique"] == demande.numero_unique
    texte = str(evenement)
    demandeur = demande.personnes.get(role="demandeur")
    assert demandeur.nom not in texte and "carte.pdf" not in texte


def test_la_copie_numerique_se_lit_encore_apres_l_ajout_d_une_piece(
    antivirus, client, entete, demande
):
    envoyer(client, entete, demande.numero_unique)

    reponse = client.get(f"/api/v1/demandes/{demande.numero_unique}", **entete)

    assert reponse.status_code == 200, reponse.content
    derniere = reponse.json()["historique"][-1]
    assert derniere["action"] == "piece_ajoutee" and derniere["code_fichier"] == ""


def test_un_caractere_nul_dans_un_champ_du_formulaire_est_refuse(client, entete, demande):
    reponse = envoyer(client, entete, demande.numero_unique, type="iden\x00tite")
    # Refused by `sne.middleware` or already by Django's form parser: a 400 either way.
    assert probleme(reponse, 400)["code"] in ("caractere_nul", "requete_invalide")
    assert not Piece.objects.exists()


def test_un_champ_inconnu_est_refuse_et_non_ignore(client, entete, demande):
    reponse = envoyer(client, entete, demande.numero_unique, persone="12")
    corps = probleme(reponse, 422)
    assert corps["erreurs"][0]["champ"] == "persone"
    assert corps["erreurs"][0]["code"] == "champ_inconnu"
