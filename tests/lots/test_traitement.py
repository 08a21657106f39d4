"""The processing of a lot by the worker (`sne.lots.services.traiter_lot`): chunks, a lease so
that one worker at a time works on a lot, and the resume of a lot whose worker was stopped —
no line registered twice, none lost."""

import io
import json
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from sne.comptes.jetons import compte_systeme
from sne.demandes.models import Demande, JetonEnregistrement
from sne.lots import services
from sne.lots.models import LigneLot, Lot
from tests.demandes.conftest import donnees_minimales, personne_distincte
from tests.factories import GuichetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bailleur():
    return GuichetFactory(code="75TL1", departements=["75"])


def ligne(k: int) -> bytes:
    donnees = donnees_minimales(reference_externe=f"DOSSIER-{k}")
    donnees["demandeur"] = {**donnees["demandeur"], **personne_distincte(k)}
    return json.dumps(donnees).encode() + b"\n"


def recevoir(guichet, corps: bytes) -> Lot:
    """A lot received; its task is not run (the test's transaction never commits)."""
    lot, nouveau = services.recevoir_lot(
        guichet, compte_systeme(guichet), io.BytesIO(corps), taille_max=10**8
    )
    assert nouveau
    return lot


def test_un_worker_arrete_en_plein_lot_reprend_sans_rien_perdre_ni_refaire(bailleur, monkeypatch):
    monkeypatch.setattr(services, "TAILLE_PAQUET", 2)
    corps = b"".join(ligne(k) for k in range(1, 8)) + b"[]\n"  # 7 demandes and a bad line
    lot = recevoir(bailleur, corps)

    # A first worker does one chunk (lines 1 and 2)…
    bail = services.traiter_lot(lot.pk, lot.bail_par, paquets_max=1)
    lot.refresh_from_db()
    assert (lot.statut, lot.traites, lot.total) == ("en_cours", 2, 8)

    # … then, in its second chunk, is killed after line 3, before line 4 and before the
    # progress of that chunk is written.
    vraie = services._traiter_ligne

    def tuee_a_la_ligne_4(lot_, agent, numero, brut, longueur_max):
        if numero == 4:
            raise SystemExit("worker tué")
        return vraie(lot_, agent, numero, brut, longueur_max)

    monkeypatch.setattr(services, "_traiter_ligne", tuee_a_la_ligne_4)
    with pytest.raises(SystemExit):
        services.traiter_lot(lot.pk, bail)
    monkeypatch.setattr(services, "_traiter_ligne", vraie)
    lot.refresh_from_db()
    assert lot.traites == 2 and lot.reprise_ligne == 2
    assert LigneLot.objects.filter(lot=lot).count() == 3

    # Its lease still runs: nobody takes the lot over yet.
    assert services.reprendre_lots_interrompus() == []
    assert services.traiter_lot(lot.pk) is None

    # Once it has expired, the periodic task queues the lot again (Huey immediate here).
    with time_machine.travel(timezone.now() + services.DUREE_BAIL + timedelta(seconds=5)):
        assert services.reprendre_lots_interrompus() == [lot.pk]

    lot.refresh_from_db()
    assert (lot.statut, lot.traites, lot.total) == ("termine", 8, 8)
    lignes = list(LigneLot.objects.filter(lot=lot).order_by("ligne"))
    assert [x.ligne for x in lignes] == list(range(1, 9))
    assert [x.statut for x in lignes] == ["enregistree"] * 7 + ["rejetee"]
    assert Demande.objects.filter(guichet_enregistreur=bailleur).count() == 7
    assert JetonEnregistrement.objects.filter(jeton__startswith=f"lot:{lot.pk}:").count() == 7
    assert not (services.dossier_lots() / lot.fichier).exists()  # personal data not kept


def test_un_lot_termine_n_est_plus_jamais_traite(bailleur):
    lot = recevoir(bailleur, ligne(1))
    services.traiter_lot(lot.pk, lot.bail_par)

    assert services.traiter_lot(lot.pk) is None
    assert services.reprendre_lots_interrompus() == []
    assert Demande.objects.filter(guichet_enregistreur=bailleur).count() == 1


def test_un_lot_jamais_commence_est_repris_quand_sa_tache_s_est_perdue(bailleur):
    lot = recevoir(bailleur, ligne(1))  # its task never ran

    with time_machine.travel(timezone.now() + services.DUREE_BAIL + timedelta(seconds=5)):
        assert services.reprendre_lots_interrompus() == [lot.pk]

    lot.refresh_from_db()
    assert lot.statut == "termine" and lot.traites == 1


def test_une_tache_longue_rend_la_main_et_se_remet_dans_la_file(bailleur, monkeypatch):
    monkeypatch.setattr(services, "TAILLE_PAQUET", 1)
    monkeypatch.setattr(services, "DUREE_TACHE_SECONDES", -1)  # every chunk is « too long »
    lot = recevoir(bailleur, ligne(1) + ligne(2) + ligne(3))

    bail = services.traiter_lot(lot.pk, lot.bail_par)
    lot.refresh_from_db()
    assert bail == lot.bail_par and lot.traites == 1

    from sne.lots.tasks import traiter_lot_tache

    traiter_lot_tache(str(lot.pk), bail)  # queues itself again until the end
    lot.refresh_from_db()
    assert (lot.statut, lot.traites) == ("termine", 3)


def test_une_ligne_trop_longue_ou_avec_un_caractere_nul_est_rejetee_seule(bailleur, settings):
    settings.SNE_API_TAILLE_MAX_CORPS = 2000
    trop_longue = b'{"reference_externe": "' + b"x" * 5000 + b'"}\n'
    nul = b'{"reference_externe": "A\\u0000B"}\n'
    blanche_et_longue = b" " * 5000 + b"\n"  # blank: no result, as at reception
    lot = recevoir(bailleur, trop_longue + nul + ligne(3) + b'"texte"\n' + blanche_et_longue)
    assert lot.total == 4

    services.traiter_lot(lot.pk, lot.bail_par)

    resultats = {x.ligne: x for x in LigneLot.objects.filter(lot=lot)}
    assert resultats[1].erreurs[0]["code"] == "ligne_trop_longue"
    assert resultats[2].erreurs[0]["code"] == "caractere_nul"
    assert resultats[3].statut == "enregistree"
    assert resultats[4].erreurs[0]["code"] == "json_invalide"
    lot.refresh_from_db()
    assert (lot.statut, lot.traites, sorted(resultats)) == ("termine", 4, [1, 2, 3, 4])


def test_une_erreur_inattendue_sur_une_ligne_ne_rejette_pas_les_autres(bailleur, monkeypatch):
    vrai = services.enregistrer_demande

    def en_panne_pour_la_deuxieme(guichet, agent, entree, **kwargs):
        if entree.reference_externe == "DOSSIER-2":
            raise RuntimeError("panne")
        return vrai(guichet, agent, entree, **kwargs)

    monkeypatch.setattr(services, "enregistrer_demande", en_panne_pour_la_deuxieme)
    lot = recevoir(bailleur, ligne(1) + ligne(2) + ligne(3))

    services.traiter_lot(lot.pk, lot.bail_par)

    statuts = dict(LigneLot.objects.filter(lot=lot).values_list("ligne", "statut"))
    assert statuts == {1: "enregistree", 2: "rejetee", 3: "enregistree"}
    erreur = LigneLot.objects.get(lot=lot, ligne=2).erreurs[0]
    assert erreur["code"] == "erreur_interne"


def test_un_fichier_illisible_met_le_lot_en_echec(bailleur):
    lot = recevoir(bailleur, ligne(1))
    (services.dossier_lots() / lot.fichier).unlink()

    services.traiter_lot(lot.pk, lot.bail_par)

    lot.refresh_from_db()
    assert lot.statut == "echec" and "renvoyez" in lot.message


def test_un_lot_en_echec_renvoye_repart_avec_le_nouveau_fichier(bailleur):
    corps = ligne(1) + ligne(2)
    lot = recevoir(bailleur, corps)
    (services.dossier_lots() / lot.fichier).unlink()  # lost before the worker reads it
    services.traiter_lot(lot.pk, lot.bail_par)
    lot.refresh_from_db()
    assert lot.statut == "echec"

    encore, nouveau = services.recevoir_lot(
        bailleur, compte_systeme(bailleur), io.BytesIO(corps), taille_max=10**6
    )
    assert nouveau and encore.pk == lot.pk and encore.statut == "en_attente"
    services.traiter_lot(lot.pk, encore.bail_par)

    lot.refresh_from_db()
    assert (lot.statut, lot.traites, lot.message) == ("termine", 2, "")
    assert Demande.objects.filter(guichet_enregistreur=bailleur).count() == 2


def test_le_meme_contenu_d_un_autre_guichet_est_un_autre_lot(bailleur):
    autre = GuichetFactory(code="75TL2", departements=["75"])
    premier = recevoir(bailleur, ligne(1))
    second = recevoir(autre, ligne(1))

    assert premier.pk != second.pk


def test_un_compte_sans_habilitation_de_saisie_ne_depose_pas_de_lot(bailleur):
    from sne.exceptions import NonAutorise
    from tests.factories import agent

    consultation = agent(bailleur, "consultation")
    with pytest.raises(NonAutorise):
        services.recevoir_lot(bailleur, consultation, io.BytesIO(ligne(1)), taille_max=10**6)
    assert not Lot.objects.exists()


def test_la_memoire_ne_depend_pas_de_la_taille_du_lot(bailleur, monkeypatch):
    """Lines are read one at a time: the reader never holds more than one line."""
    lus = []
    vrai = services._lire

    def lire(brut, longueur_max):
        lus.append(len(brut or b""))
        return vrai(brut, longueur_max)

    monkeypatch.setattr(services, "_lire", lire)
    lot = recevoir(bailleur, b"[]\n" * 3000)
    services.traiter_lot(lot.pk, lot.bail_par)

    assert len(lus) == 3000 and max(lus) == 3


def test_les_resultats_se_lisent_par_pages_de_mille_au_plus(bailleur):
    lot = recevoir(bailleur, b"[]\n")
    LigneLot.objects.bulk_create(
        LigneLot(lot=lot, ligne=n, reference_externe="", statut="rejetee") for n in range(1, 1202)
    )

    lignes, suite = services.resultats(lot, limite=5000)
    assert len(lignes) == 1000 and suite == 1000
    lignes, suite = services.resultats(lot, apres_ligne=suite, limite=5000)
    assert [x.ligne for x in lignes] == list(range(1001, 1202)) and suite is None


def test_un_identifiant_de_lot_mal_forme_est_introuvable(bailleur):
    from sne.exceptions import Introuvable

    with pytest.raises(Introuvable):
        services.trouver_lot("pas-un-uuid", compte_systeme(bailleur))
