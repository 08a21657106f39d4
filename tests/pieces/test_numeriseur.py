"""The industrial scanner's lots: only the defective pièce is rejected, its desk is told."""

import hashlib
import io
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail import EmailMessage

from sne.pieces import numeriseur
from sne.pieces.models import LigneNumeriseur, LotNumeriseur, Piece
from sne.pieces.tasks import prevenir_rejets_numeriseur
from tests.factories import GuichetFactory, PointContactFactory, agent
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


def test_la_piece_infectee_de_test_est_celle_de_la_base_de_signatures():
    """`fichiers.pdf_infecte()` gives always the same bytes, those listed in sne-test.hdb."""
    contenu = fichiers.pdf_infecte()
    assert contenu == fichiers.pdf_infecte()
    base = Path(numeriseur.__file__).parent / "clamav" / "sne-test.hdb"
    signature = f"{hashlib.md5(contenu).hexdigest()}:{len(contenu)}:SNE.Test.PieceInfectee"
    assert signature in base.read_text(encoding="ascii").splitlines()


def test_un_lot_dont_une_piece_a_un_virus_attache_les_autres_et_previent_le_guichet(
    antivirus, demande, agent_saisie, guichet, django_capture_on_commit_callbacks
):
    """Issue 14, « Done when »: the real ClamAV daemon finds the virus in one pièce of the lot;
    the others are attached, that one is rejected (« virus ») and the registering desk gets an
    e-mail listing it."""
    n = demande.numero_unique
    manifeste = (
        "numero_unique;type;fichier;personne\n"
        f"{n};identite;identite.pdf;demandeur\n"
        f"{n};avis_imposition;avis.pdf;\n"
        f"{n};ressources;bulletin.jpg;\n"
        f"{n};logement_actuel;quittance.pdf;\n"
        f"{n};autre;attestation.png;\n"
    )
    contenu = fichiers.zip_de(
        {
            "manifeste.csv": manifeste.encode(),
            "identite.pdf": fichiers.pdf(),
            "avis.pdf": fichiers.pdf(pages=2),
            "bulletin.jpg": fichiers.jpeg(),
            "quittance.pdf": fichiers.pdf_infecte(),
            "attestation.png": fichiers.png(),
        }
    )

    lot = envoyer(guichet, agent_saisie, contenu, django_capture_on_commit_callbacks)

    lot.refresh_from_db()
    assert (lot.etat, lot.total, lot.attachees, lot.rejetees) == ("termine", 5, 4, 1)
    rejetee = LigneNumeriseur.objects.get(lot=lot, resultat="rejetee")
    assert (rejetee.ligne, rejetee.code, rejetee.piece_uid) == (5, "virus", None)
    assert "virus" in rejetee.message and "SNE.Test.PieceInfectee" in rejetee.message
    pieces = Piece.objects.filter(demande=demande, origine="numeriseur")
    assert sorted(pieces.values_list("type", flat=True)) == [
        "autre",
        "avis_imposition",
        "identite",
        "ressources",
    ]
    assert not pieces.filter(empreinte=hashlib.sha256(fichiers.pdf_infecte()).hexdigest())
    assert len(mail.outbox) == 1
    courriel = mail.outbox[0]
    assert courriel.to == guichet.destinataires()
    assert "1 pièce rejetée" in courriel.subject
    assert f"ligne 5 du manifeste : demande {n}" in courriel.body
    assert "virus détecté par l'antivirus" in courriel.body
    assert "quittance.pdf" not in courriel.body and "ligne 2 " not in courriel.body


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


def test_la_tache_rejouee_ne_previent_pas_deux_fois_un_guichet(
    antivirus, demande, guichet, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    """Two desks to tell: the sender (an unknown numéro) and the demande's registering desk.
    The second e-mail fails: Huey retries the task, which must not e-mail the first desk
    again; once both are told, a further run sends nothing."""
    settings.SNE_DOSSIER_LOTS = str(tmp_path)
    voisin = GuichetFactory(code="93BA2", departements=["93"])
    PointContactFactory(guichet=voisin)
    contenu = fichiers.zip_de(
        {
            "manifeste.csv": (
                "numero_unique;type;fichier\n"
                "093000000000000XX9;identite;a.pdf\n"
                f"{demande.numero_unique};autre;absent.pdf\n"
            ).encode(),
            "a.pdf": fichiers.pdf(),
        }
    )
    envoi = EmailMessage.send
    en_panne = set(guichet.destinataires())

    def envoyer_sauf_au_guichet(message, *args, **kwargs):
        if set(message.to) == en_panne:
            raise ConnectionRefusedError("serveur de courriel injoignable")
        return envoi(message, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", envoyer_sauf_au_guichet)
    # Huey catches the error and schedules a retry of the task.
    envoyer(voisin, agent(voisin), contenu, django_capture_on_commit_callbacks)
    lot = LotNumeriseur.objects.get()
    assert [m.to for m in mail.outbox] == [voisin.destinataires()]
    lignes = LigneNumeriseur.objects.filter(lot=lot).order_by("ligne")
    assert [ligne.prevenu_le is not None for ligne in lignes] == [True, False]

    monkeypatch.setattr(EmailMessage, "send", envoi)
    assert prevenir_rejets_numeriseur.call_local(str(lot.pk)) == 1
    assert [m.to for m in mail.outbox] == [voisin.destinataires(), guichet.destinataires()]
    assert "ligne 3 du manifeste" in mail.outbox[1].body
    assert "ligne 2 " not in mail.outbox[1].body

    assert numeriseur.prevenir_des_rejets(lot.pk) == 0
    assert len(mail.outbox) == 2
    assert not LigneNumeriseur.objects.filter(lot=lot, prevenu_le__isnull=True).exists()
