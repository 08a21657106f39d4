"""`/api/v1/lots` (API-CONTRACT « Batch lots »): a JSON Lines lot → 202, processed line by line
by the worker (Huey immediate in tests, once the reception commits); per-line results; the
same lot sent again creates nothing twice; another desk's lot does not exist; one PDF."""

import io
import json

import pypdf
import pytest

from sne.comptes import jetons
from sne.demandes.models import Demande
from sne.lots.models import LigneLot, Lot
from tests.demandes.conftest import donnees_minimales
from tests.factories import GuichetFactory

pytestmark = pytest.mark.django_db

NDJSON = "application/x-ndjson"


@pytest.fixture
def bailleur():
    return GuichetFactory(code="75TL1", departements=["75"])


@pytest.fixture
def entete(bailleur):
    _, en_clair = jetons.creer_jeton(bailleur, libelle="Logiciel X")
    return {"HTTP_AUTHORIZATION": f"Bearer {en_clair}"}


def demande(reference, nom="Martin", prenom="Élodie", naissance="1987-04-12", **surcharges):
    donnees = donnees_minimales(reference_externe=reference, **surcharges)
    donnees["demandeur"] = {
        **donnees["demandeur"],
        "nom": nom,
        "prenom": prenom,
        "date_naissance": naissance,
    }
    return donnees


def en_lignes(*objets) -> bytes:
    return b"".join(
        (o if isinstance(o, bytes) else json.dumps(o, ensure_ascii=False).encode()) + b"\n"
        for o in objets
    )


@pytest.fixture
def envoyer(client, entete, django_capture_on_commit_callbacks):
    """POST a lot; its processing (queued after the commit) runs before the call returns."""

    def envoyer(corps: bytes, type_contenu=NDJSON, **en_tetes):
        with django_capture_on_commit_callbacks(execute=True):
            # CONTENT_TYPE too: Django's test client leaves it out for an empty body.
            return client.post(
                "/api/v1/lots",
                data=corps,
                content_type=type_contenu,
                CONTENT_TYPE=type_contenu,
                **entete,
                **en_tetes,
            )

    return envoyer


def test_un_lot_est_accepte_puis_chaque_ligne_a_son_resultat(client, entete, envoyer):
    Demande.objects.all()  # the register starts empty for these people
    corps = en_lignes(
        demande("DOSSIER-1", nom="Bernard", prenom="Luc", naissance="1970-01-02"),
        b"{ceci n'est pas du JSON",
        demande("DOSSIER-3", nom="Petit", prenom="Anne", naissance="1980-03-04", departement="13"),
        demande(
            "DOSSIER-4",
            nom="Roux",
            prenom="Paul",
            naissance="1990-05-06",
            souhaits={"communes": ["Commune qui n'existe pas"]},
        ),
        {"reference_externe": "DOSSIER-5", "departement": "75"},
        demande("DOSSIER-6", nom="Bernard", prenom="Luc", naissance="1970-01-02"),
        b"",
        demande("", nom="Morel", prenom="Jean", naissance="1975-07-08"),
    )

    reponse = envoyer(corps)

    assert reponse.status_code == 202
    corps_reponse = reponse.json()
    assert corps_reponse["statut"] == "en_attente"
    assert corps_reponse["total"] == 7 and corps_reponse["traites"] == 0
    assert reponse["Location"] == f"/api/v1/lots/{corps_reponse['id']}"

    lot = client.get(reponse["Location"], **entete).json()
    assert (lot["statut"], lot["total"], lot["traites"]) == ("termine", 7, 7)
    assert lot["comptes"] == {"enregistree": 1, "rejetee": 5, "suspicion_doublon": 1}
    par_ligne = {r["ligne"]: r for r in lot["resultats"]}
    assert sorted(par_ligne) == [1, 2, 3, 4, 5, 6, 8]  # line 7 is blank: no result
    enregistree = par_ligne[1]
    assert enregistree["statut"] == "enregistree"
    assert enregistree["reference_externe"] == "DOSSIER-1"
    assert (
        Demande.objects.get(reference_externe="DOSSIER-1").numero_unique
        == (enregistree["numero_unique"])
    )
    assert par_ligne[2]["statut"] == "rejetee"
    assert par_ligne[2]["erreurs"][0]["code"] == "json_invalide"
    assert par_ligne[3]["erreurs"][0]["code"] == "departement_non_habilite"
    assert par_ligne[3]["reference_externe"] == "DOSSIER-3"
    assert par_ligne[4]["erreurs"][0]["champ"].startswith("souhaits.communes")
    schema = {(e["champ"], e["code"]) for e in par_ligne[5]["erreurs"]}
    assert ("demandeur", "missing") in schema
    assert all(e["message"] and "required" not in e["message"] for e in par_ligne[5]["erreurs"])
    doublon = par_ligne[6]
    assert doublon["statut"] == "suspicion_doublon"
    assert doublon["numero_unique"] is None
    assert doublon["doublons"][0]["numero_unique"] == enregistree["numero_unique"]
    assert "nom" not in doublon["doublons"][0]  # never the person's data
    assert par_ligne[8]["erreurs"][0]["champ"] == "reference_externe"
    assert Demande.objects.filter(guichet_enregistreur__code="75TL1").count() == 1


def test_les_resultats_se_lisent_par_pages_et_par_statut(client, entete, envoyer):
    corps = en_lignes(*(b"[]" for _ in range(5)))
    identifiant = envoyer(corps).json()["id"]

    page = client.get(f"/api/v1/lots/{identifiant}?limite=2", **entete).json()
    assert [r["ligne"] for r in page["resultats"]] == [1, 2] and page["suite"] == 2
    page = client.get(f"/api/v1/lots/{identifiant}?limite=2&apres_ligne=4", **entete).json()
    assert [r["ligne"] for r in page["resultats"]] == [5] and page["suite"] is None
    page = client.get(f"/api/v1/lots/{identifiant}?statut=enregistree", **entete).json()
    assert page["resultats"] == []
    invalide = client.get(f"/api/v1/lots/{identifiant}?limite=0", **entete)
    assert invalide.status_code == 422


def test_le_meme_lot_renvoye_rend_le_premier_sans_rien_enregistrer_deux_fois(
    client, entete, envoyer
):
    corps = en_lignes(demande("DOSSIER-1"), demande("DOSSIER-2", nom="Durand"))
    premier = envoyer(corps)
    second = envoyer(corps)

    assert premier.status_code == 202
    assert second.status_code == 200
    assert second.json()["id"] == premier.json()["id"]
    assert second.json()["statut"] == "termine"
    assert Lot.objects.count() == 1
    assert Demande.objects.filter(reference_externe__startswith="DOSSIER-").count() == 2


def test_une_ligne_deja_enregistree_par_un_autre_lot_rend_la_meme_demande(client, entete, envoyer):
    envoyer(en_lignes(demande("DOSSIER-1")))
    autre = envoyer(en_lignes(demande("DOSSIER-1"), b"[]")).json()

    resultats = client.get(f"/api/v1/lots/{autre['id']}", **entete).json()["resultats"]
    assert resultats[0]["statut"] == "enregistree"
    assert Demande.objects.filter(reference_externe="DOSSIER-1").count() == 1


@pytest.mark.parametrize("type_contenu", ["application/json", "text/plain", "multipart/form-data"])
def test_un_autre_type_de_contenu_est_refuse_415(envoyer, type_contenu):
    reponse = envoyer(en_lignes(demande("DOSSIER-1")), type_contenu=type_contenu)

    assert reponse.status_code == 415
    assert reponse["Content-Type"].startswith("application/problem+json")
    assert reponse.json()["code"] == "type_de_contenu_non_accepte"
    assert not Lot.objects.exists()


def test_application_jsonl_est_accepte(envoyer):
    assert envoyer(en_lignes(b"[]"), type_contenu="application/jsonl").status_code == 202


@pytest.mark.parametrize("corps", [b"", b"\n\n  \n", b"   "])
def test_un_lot_vide_est_refuse_422(envoyer, corps):
    reponse = envoyer(corps)

    assert reponse.status_code == 422
    assert reponse.json()["code"] == "lot_vide"
    assert not Lot.objects.exists()


def test_un_lot_annonce_trop_gros_est_refuse_avant_d_etre_lu(client, entete, settings):
    settings.SNE_API_TAILLE_MAX_LOT = 1000

    reponse = client.post(
        "/api/v1/lots",
        data=b"x",
        content_type=NDJSON,
        CONTENT_LENGTH="1001",
        **entete,
    )

    assert reponse.status_code == 413
    assert reponse.json()["code"] == "corps_trop_volumineux"


def test_un_lot_trop_gros_est_refuse_en_le_lisant_et_rien_n_est_garde(
    rf, bailleur, settings, tmp_path
):
    """A body whose size is not announced (a proxy that streams) is stopped while read."""
    from sne.comptes.jetons import compte_systeme
    from sne.lots import services

    settings.SNE_DOSSIER_LOTS = tmp_path
    with pytest.raises(services.LotTropVolumineux):
        services.recevoir_lot(
            bailleur, compte_systeme(bailleur), io.BytesIO(b"[]\n" * 500), taille_max=1000
        )
    assert list(tmp_path.iterdir()) == []
    assert not Lot.objects.exists()


def test_un_lot_envoye_par_morceaux_sans_longueur_est_refuse_411(envoyer):
    reponse = envoyer(en_lignes(b"[]"), HTTP_TRANSFER_ENCODING="chunked")

    assert reponse.status_code == 411
    assert reponse.json()["code"] == "longueur_requise"
    assert not Lot.objects.exists()


def test_un_lot_peut_depasser_la_limite_generale_des_corps(envoyer, settings):
    settings.SNE_API_TAILLE_MAX_CORPS = 1000
    corps = en_lignes(*(b"[]" for _ in range(600)))  # 1,800 bytes

    reponse = envoyer(corps)

    assert reponse.status_code == 202
    assert reponse.json()["total"] == 600


def test_le_lot_d_un_autre_guichet_est_introuvable(client, envoyer):
    identifiant = envoyer(en_lignes(b"[]")).json()["id"]
    autre = GuichetFactory(code="75TL2", departements=["75"])
    _, jeton_autre = jetons.creer_jeton(autre, libelle="Autre logiciel")
    entete_autre = {"HTTP_AUTHORIZATION": f"Bearer {jeton_autre}"}

    for adresse in (f"/api/v1/lots/{identifiant}", f"/api/v1/lots/{identifiant}/attestations.pdf"):
        reponse = client.get(adresse, **entete_autre)
        assert reponse.status_code == 404
        assert reponse.json()["code"] == "introuvable"
    assert client.get("/api/v1/lots", **entete_autre).json()["lots"] == []


def test_un_identifiant_mal_forme_ou_inconnu_donne_un_probleme(client, entete):
    assert client.get("/api/v1/lots/pas-un-uuid", **entete).status_code == 422
    inconnu = client.get("/api/v1/lots/00000000-0000-0000-0000-000000000000", **entete)
    assert inconnu.status_code == 404


def test_sans_jeton_les_lots_repondent_401(client):
    assert client.post("/api/v1/lots", data=b"[]\n", content_type=NDJSON).status_code == 401
    assert client.get("/api/v1/lots").status_code == 401


def test_la_liste_des_lots_du_guichet_va_du_plus_recent_au_plus_ancien(client, entete, envoyer):
    premier = envoyer(en_lignes(b"[1]")).json()["id"]
    second = envoyer(en_lignes(b"[2]")).json()["id"]

    lots = client.get("/api/v1/lots", **entete).json()["lots"]

    assert [lot["id"] for lot in lots] == [second, premier]


def test_les_attestations_du_lot_en_un_pdf_trace_comme_une_lecture(client, entete, envoyer):
    from sne.audit.models import EvenementAudit

    corps = en_lignes(
        demande("DOSSIER-1", nom="Bernard"), b"[]", demande("DOSSIER-2", nom="Lambert")
    )
    identifiant = envoyer(corps).json()["id"]

    reponse = client.get(f"/api/v1/lots/{identifiant}/attestations.pdf", **entete)

    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/pdf"
    texte = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(reponse.content)).pages)
    numeros = LigneLot.objects.filter(lot_id=identifiant, statut="enregistree").values_list(
        "numero_unique", flat=True
    )
    assert all(numero in texte.replace(" ", "") for numero in numeros)
    lectures = EvenementAudit.objects.filter(resume=f"Attestations du lot {identifiant} (PDF)")
    assert lectures.count() == 2


def test_les_attestations_d_un_lot_en_cours_repondent_409(client, entete, bailleur):
    from sne.comptes.jetons import compte_systeme

    lot = Lot.objects.create(
        guichet=bailleur,
        envoye_par=compte_systeme(bailleur),
        empreinte="0" * 64,
        fichier="absent.jsonl",
        total=3,
        traites=1,
        statut=Lot.Statut.EN_COURS,
    )

    reponse = client.get(f"/api/v1/lots/{lot.pk}/attestations.pdf", **entete)

    assert reponse.status_code == 409
    assert reponse.json()["code"] == "lot_en_cours"
