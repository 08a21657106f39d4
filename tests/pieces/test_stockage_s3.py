"""The pièces on S3-compatible object storage, against a real S3 server running locally
(moto's, on a free port): private, encrypted objects, read through `lire_piece`, erased by the
purge and by the orphan cleaning, and never a (pre-signed) address."""

import socket
from datetime import timedelta

import boto3
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from moto.server import ThreadedMotoServer

from sne.demandes import services as demandes
from sne.pieces import services
from sne.pieces.models import Piece
from sne.pieces.stockage_s3 import StockagePriveS3
from tests.pieces import fichiers

pytestmark = pytest.mark.django_db

BUCKET = "sne-pieces-test"
PREFIXE = "pieces"


def port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def serveur_s3():
    port = port_libre()
    serveur = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    serveur.start()
    yield f"http://127.0.0.1:{port}"
    serveur.stop()


@pytest.fixture
def s3(serveur_s3, settings):
    """The storage `pieces` on a fresh bucket of the local S3 server, configured as
    sne/settings/base.py does when SNE_PIECES_S3_BUCKET is set; everything put back after."""
    client = boto3.client(
        "s3",
        endpoint_url=serveur_s3,
        region_name="eu-west-3",
        aws_access_key_id="cle",
        aws_secret_access_key="secret",
    )
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"}
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "pieces": {
            "BACKEND": "sne.pieces.stockage_s3.StockagePriveS3",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": serveur_s3,
                "region_name": "eu-west-3",
                "access_key": "cle",
                "secret_key": "secret",
                "location": PREFIXE,
                "default_acl": "private",
                "querystring_auth": True,
                "file_overwrite": False,
                "object_parameters": {"ServerSideEncryption": "AES256"},
            },
        },
    }
    # Django forgets its storages when STORAGES changes (`setting_changed`); the field took
    # its storage from the callable once, at import: pointed to the new one, then put back.
    champ = Piece._meta.get_field("fichier")
    avant = champ.storage
    champ.storage = storages["pieces"]
    assert isinstance(champ.storage, StockagePriveS3)
    yield client
    champ.storage = avant
    objets = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    for objet in objets:
        client.delete_object(Bucket=BUCKET, Key=objet["Key"])
    client.delete_bucket(Bucket=BUCKET)


def cles(client) -> list[str]:
    return [o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])]


def test_une_piece_est_un_objet_prive_et_chiffre_lu_par_lire_piece(
    antivirus, s3, demande, agent_saisie, guichet
):
    piece = services.deposer_piece(
        demande, fichiers.pdf(), type="identite", par=agent_saisie, guichet=guichet
    )

    cle = f"{PREFIXE}/{piece.fichier.name}"
    assert cles(s3) == [cle]
    assert piece.fichier.name.startswith("93/")
    tete = s3.head_object(Bucket=BUCKET, Key=cle)
    assert tete["ServerSideEncryption"] == "AES256"
    droits = s3.get_object_acl(Bucket=BUCKET, Key=cle)["Grants"]
    assert [d["Permission"] for d in droits] == ["FULL_CONTROL"]
    assert all(d["Grantee"]["Type"] == "CanonicalUser" for d in droits)  # no AllUsers
    assert services.lire_piece(piece, par=agent_saisie, guichet=guichet) == fichiers.pdf()


def test_aucune_adresse_presignee_ne_sort_du_stockage(s3):
    with pytest.raises(ValueError):
        storages["pieces"].url("93/2026/12/x.pdf")


def test_la_purge_efface_les_objets(
    antivirus, s3, demande, agent_saisie, guichet, django_capture_on_commit_callbacks
):
    services.deposer_piece(
        demande, fichiers.pdf(), type="identite", par=agent_saisie, guichet=guichet
    )
    demandes.radier(demande, "renonciation", par=agent_saisie, guichet=guichet)
    demande.refresh_from_db()
    assert len(cles(s3)) == 1

    with django_capture_on_commit_callbacks(execute=True):
        effacees = services.purger_pieces_expirees(
            aujourd_hui=demande.date_radiation + timedelta(days=400)
        )

    assert effacees == 1
    assert cles(s3) == []


def test_les_fichiers_orphelins_sont_trouves_et_effaces_sur_s3(
    antivirus, s3, demande, agent_saisie, guichet
):
    piece = services.deposer_piece(
        demande, fichiers.pdf(), type="identite", par=agent_saisie, guichet=guichet
    )
    orphelin = storages["pieces"].save("93/2020/01/orphelin.pdf", ContentFile(b"%PDF-1.4"))

    assert services.nettoyer_fichiers_orphelins(age=timedelta(days=1)) == 0  # too recent
    assert services.nettoyer_fichiers_orphelins(age=timedelta(0)) == 1

    assert cles(s3) == [f"{PREFIXE}/{piece.fichier.name}"]
    assert f"{PREFIXE}/{orphelin}" not in cles(s3)
