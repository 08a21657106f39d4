"""The services of the dossier unique: adding, the antivirus, deciding, reading, retention."""

from copy import deepcopy
from datetime import date, timedelta

import pytest

from sne.audit.models import EvenementAudit
from sne.demandes import services as demandes
from sne.demandes.models import EvenementDemande, HistoriqueDemande
from sne.exceptions import ErreurMetier, Introuvable, NonAutorise
from sne.pieces import services
from sne.pieces.controles import PieceRefusee
from sne.pieces.models import EvenementPiece, Piece
from tests.pieces import fichiers
from tests.pieces.conftest import DONNEES

pytestmark = pytest.mark.django_db


def deposer(demande, agent, guichet, contenu=None, type="identite", **options):
    return services.deposer_piece(
        demande,
        fichiers.pdf() if contenu is None else contenu,
        type=type,
        par=agent,
        guichet=guichet,
        nom="carte.pdf",
        **options,
    )


def test_une_piece_deposee_est_analysee_stockee_et_annoncee(
    antivirus, demande, agent_saisie, guichet
):
    piece = deposer(demande, agent_saisie, guichet)

    assert piece.statut == Piece.Statut.RECUE
    assert piece.analysee_le is not None
    assert piece.type_contenu == "application/pdf" and piece.pages == 1
    assert piece.nom_fichier == "carte.pdf"
    assert "carte" not in piece.fichier.name  # a random name, nothing the sender chose
    assert piece.fichier.name.startswith("93/")
    assert [e.action for e in piece.evenements.all()] == ["depot", "analyse"]
    assert demande.historique.filter(action=HistoriqueDemande.Action.PIECE_AJOUTEE).exists()
    evenement = EvenementDemande.objects.filter(demande=demande).latest("id")
    assert evenement.type == "piece_ajoutee" and evenement.donnees["champs"] == ["pieces"]
    assert services.lire_piece(piece, par=agent_saisie, guichet=guichet) == fichiers.pdf()


def test_eicar_est_refuse_et_rien_n_est_ecrit(antivirus, demande, agent_saisie, guichet):
    with pytest.raises(PieceRefusee) as erreur:
        deposer(demande, agent_saisie, guichet, contenu=fichiers.EICAR)
    # EICAR is neither PDF nor image: the content check refuses it first…
    assert erreur.value.code == "type_non_accepte"
    # …and inside a PDF, the antivirus finds it.
    with pytest.raises(PieceRefusee) as erreur:
        deposer(demande, agent_saisie, guichet, contenu=b"%PDF-1.4\n" + fichiers.EICAR)
    assert erreur.value.code in ("virus", "fichier_illisible")
    assert not Piece.objects.exists()


def test_le_fichier_eicar_seul_est_reconnu_par_le_vrai_demon(antivirus):
    from sne.pieces import antivirus as av

    analyse = av.analyser(fichiers.EICAR)
    assert analyse.verdict is av.Verdict.INFECTE
    assert "Eicar" in analyse.signature
    assert av.analyser(fichiers.pdf()).verdict is av.Verdict.SAIN


def test_sans_antivirus_la_piece_attend_et_ne_s_ouvre_pas(
    antivirus_en_panne, demande, agent_saisie, guichet
):
    piece = deposer(demande, agent_saisie, guichet)
    assert piece.statut == Piece.Statut.EN_ATTENTE_ANALYSE
    with pytest.raises(ErreurMetier) as erreur:
        services.lire_piece(piece, par=agent_saisie, guichet=guichet)
    assert erreur.value.code == "piece_en_attente_analyse"
    with pytest.raises(ErreurMetier):
        services.valider_piece(piece, par=agent_saisie, guichet=guichet)
    assert services.analyser_pieces_en_attente() == 0


def test_l_analyse_reprend_quand_l_antivirus_revient(
    settings, clamd, demande, agent_saisie, guichet, tmp_path
):
    reel = settings.SNE_CLAMAV
    settings.SNE_CLAMAV = f"unix:{tmp_path / 'personne.sock'}"
    piece = deposer(demande, agent_saisie, guichet)
    assert piece.statut == Piece.Statut.EN_ATTENTE_ANALYSE
    settings.SNE_CLAMAV = reel
    assert services.analyser_pieces_en_attente() == 1
    piece.refresh_from_db()
    assert piece.statut == Piece.Statut.RECUE


def test_valider_refuser_et_remplacer_gardent_l_historique(
    antivirus, demande, agent_saisie, guichet
):
    piece = deposer(demande, agent_saisie, guichet)
    services.refuser_piece(piece, "illisible", par=agent_saisie, guichet=guichet)
    piece.refresh_from_db()
    assert piece.statut == "refusee" and piece.motif_refus == "illisible"
    with pytest.raises(ErreurMetier) as erreur:
        services.refuser_piece(piece, "autre", par=agent_saisie, guichet=guichet)
    assert erreur.value.code == "precision_requise"

    nouvelle = services.remplacer_piece(piece, fichiers.jpeg(), par=agent_saisie, guichet=guichet)
    piece.refresh_from_db()
    assert piece.statut == "remplacee" and piece.remplacee_par == nouvelle
    assert nouvelle.type == piece.type and nouvelle.type_contenu == "image/jpeg"
    services.valider_piece(nouvelle, par=agent_saisie, guichet=guichet)
    nouvelle.refresh_from_db()
    assert nouvelle.statut == "validee" and nouvelle.decidee_par == agent_saisie
    assert [e.action for e in piece.evenements.all()] == [
        "depot",
        "analyse",
        "refus",
        "remplacement",
    ]


def test_le_meme_fichier_deux_fois_est_une_seule_piece(antivirus, demande, agent_saisie, guichet):
    deposer(demande, agent_saisie, guichet)
    with pytest.raises(services.PieceDejaDeposee):
        deposer(demande, agent_saisie, guichet)
    assert Piece.objects.count() == 1


def test_un_guichet_hors_perimetre_recoit_403_et_une_trace(
    antivirus, demande, agent_saisie, guichet, agent_ailleurs, guichet_ailleurs
):
    piece = deposer(demande, agent_saisie, guichet)
    with pytest.raises(NonAutorise):
        services.trouver_piece(piece.uid, par=agent_ailleurs, guichet=guichet_ailleurs)
    trace = EvenementAudit.objects.get(action="acces_refuse")
    assert trace.utilisateur == agent_ailleurs and trace.objet_id == str(piece.pk)
    with pytest.raises(NonAutorise):
        services.lire_piece(piece, par=agent_ailleurs, guichet=guichet_ailleurs)
    with pytest.raises(NonAutorise):
        deposer(demande, agent_ailleurs, guichet_ailleurs, contenu=fichiers.png())
    with pytest.raises(Introuvable):
        services.trouver_piece("pas-un-uuid", par=agent_saisie)


def test_chaque_ouverture_est_tracee(antivirus, demande, agent_saisie, guichet):
    piece = deposer(demande, agent_saisie, guichet)
    services.lire_piece(piece, par=agent_saisie, guichet=guichet, adresse_ip="192.0.2.7")
    trace = EvenementAudit.objects.get(action="telechargement")
    assert trace.utilisateur == agent_saisie and trace.guichet == guichet
    assert str(trace.adresse_ip) == "192.0.2.7"


def test_personne_d_un_autre_menage_refusee(antivirus, demande, agent_saisie, guichet):
    donnees = deepcopy(DONNEES)
    donnees["demandeur"].update(nom="Morel", prenom="Lucien", date_naissance="1961-02-03")
    autre = demandes.enregistrer_demande(guichet, agent_saisie, donnees).demandeur

    with pytest.raises(ErreurMetier):
        deposer(demande, agent_saisie, guichet, personne=autre)
    assert not Piece.objects.exists()


@pytest.mark.aujourd_hui(date(2026, 3, 2))
def test_rien_ne_survit_un_an_apres_la_radiation(
    antivirus, demande, agent_saisie, guichet, horloge, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        premiere = deposer(demande, agent_saisie, guichet)
        services.remplacer_piece(premiere, fichiers.png(), par=agent_saisie, guichet=guichet)
    noms = list(Piece.objects.values_list("fichier", flat=True))
    stockage = Piece._meta.get_field("fichier").storage
    assert all(stockage.exists(nom) for nom in noms)
    demande.statut = "radiee"
    demande.date_radiation = date(2026, 3, 2)
    demande.motif_radiation = "renonciation"
    demande.save()

    with django_capture_on_commit_callbacks(execute=True):
        assert services.purger_pieces_expirees(date(2027, 3, 1)) == 0
        assert services.purger_pieces_expirees(date(2027, 3, 2)) == 2
    assert not Piece.objects.filter(demande=demande).exists()
    assert not EvenementPiece.objects.exists()
    assert not any(stockage.exists(nom) for nom in noms)
    trace = EvenementAudit.objects.filter(action="suppression").latest("horodatage")
    assert trace.objet_id == str(demande.pk) and trace.details == {"pieces": 2}


def test_un_fichier_sans_piece_est_efface_le_lendemain(antivirus, demande):
    stockage = Piece._meta.get_field("fichier").storage
    nom = stockage.save("93/2026/01/orphelin.pdf", __import__("io").BytesIO(b"%PDF-1.4"))
    services.nettoyer_fichiers_orphelins()
    assert stockage.exists(nom)  # written just now: left alone (a transaction may be running)
    # (Other tests' rolled-back pièces may have left files in the same storage.)
    assert services.nettoyer_fichiers_orphelins(age=timedelta(seconds=-60)) >= 1
    assert not stockage.exists(nom)
