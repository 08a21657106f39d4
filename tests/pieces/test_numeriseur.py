"""The industrial scanner's lots: only the defective pièce is rejected, its desk is told."""

import io

import pytest
from django.core import mail

from sne.pieces import numeriseur
from sne.pieces.models import LigneNumeriseur, LotNumeriseur, Piece
from tests.pieces import fichiers

pytestmark = pytest.mark.django_db


def envoyer(guichet, agent, contenu, capture):
    with capture(execute=True):
        return numeriseur.recevoir_lot_numeriseur(
            guichet, agent, io.BytesIO(contenu), taille_max=10**8
        )


def test_seule_la_piece_defectueuse_est_rejetee_et_le_guichet_prevenu(
    antivirus, demande, agent_saisie, guichet, django_capture_on_commit_callbacks
):
    n = demande.numero_unique
    manifeste = (
        "\ufeffnumero_unique;type;fichier\n"
        f"{n};identite;a.pdf\n\n"
        f"{n};ressources;b.jpg\n"
        f"{n};avis_imposition;x.pdf\n"
        f"{n};autre;absent.pdf\n"
        "093000000000000XX9;identite;a.pdf\n"
        f"{n};inconnu;a.pdf\n"
    )
    contenu = fichiers.zip_de(
        {
            "manifeste.csv": manifeste.encode(),
            "a.pdf": fichiers.pdf(),
            "b.jpg": fichiers.jpeg(),
            "x.pdf": fichiers.EICAR,
        }
    )
    lot = envoyer(guichet, agent_saisie, contenu, django_capture_on_commit_callbacks)
    lot.refresh_from_db()
    assert (lot.etat, lot.total, lot.attachees, lot.rejetees) == ("termine", 6, 2, 4)
    codes = dict(LigneNumeriseur.objects.filter(lot=lot).values_list("ligne", "code"))
    assert codes == {
        2: "",
        4: "",
        5: "type_non_accepte",
        6: "fichier_absent",
        7: "numero_inconnu",
        8: "ligne_invalide",
    }
    assert Piece.objects.filter(demande=demande, origine="numeriseur").count() == 2
    assert len(mail.outbox) == 1
    assert "ligne 5" in mail.outbox[0].body and "absent.pdf" not in mail.outbox[0].body


@pytest.mark.parametrize(
    ("contenu", "code"),
    [
        (b"pas un zip", "zip_illisible"),
        (fichiers.zip_de({"a.pdf": b"%PDF"}), "manifeste_absent"),
        (
            fichiers.zip_de(
                {"manifeste.csv": b"numero_unique;type;fichier\n" + b"1;identite;a.pdf\n" * 5001}
            ),
            "trop_de_pieces",
        ),
    ],
)
def test_un_lot_illisible_est_refuse_entier(
    contenu, code, guichet, agent_saisie, django_capture_on_commit_callbacks
):
    with pytest.raises(numeriseur.LotNumeriseurRefuse) as erreur:
        envoyer(guichet, agent_saisie, contenu, django_capture_on_commit_callbacks)
    assert erreur.value.code == code
    assert not LotNumeriseur.objects.exists()
