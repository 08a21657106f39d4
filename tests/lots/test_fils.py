"""On PostgreSQL the worker registers a chunk's lines side by side (`SNE_LOTS_FILS` threads,
each with its own connection): every line once, and the same person twice in one chunk is
registered once, the other line a suspicion (the registration's advisory lock)."""

import io
import json

import pytest
from django.db import connection

from sne.comptes.jetons import compte_systeme
from sne.demandes.models import Demande
from sne.lots import services
from sne.lots.models import LigneLot
from tests.demandes.conftest import donnees_minimales, personne_distincte
from tests.factories import GuichetFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_les_lignes_d_un_paquet_en_parallele_chacune_une_fois(
    settings, monkeypatch, referentiels_charges
):
    if connection.vendor != "postgresql":
        pytest.skip("les fils ne servent que sur PostgreSQL (SQLite : un écrivain à la fois)")
    settings.SNE_LOTS_FILS = 3
    monkeypatch.setattr(services, "TAILLE_PAQUET", 5)
    guichet = GuichetFactory(code="75TF1", departements=["75"])
    lignes = []
    for k in range(10):
        donnees = donnees_minimales(reference_externe=f"DOSSIER-{k}")
        # the same person on lines 3 and 4
        identite = personne_distincte(2 if k in (2, 3) else k)
        donnees["demandeur"] = {**donnees["demandeur"], **identite}
        lignes.append(json.dumps(donnees).encode() + b"\n")
    lot, _ = services.recevoir_lot(
        guichet, compte_systeme(guichet), io.BytesIO(b"".join(lignes)), taille_max=10**6
    )

    assert services.nombre_de_fils() == 3
    services.traiter_lot(lot.pk, lot.bail_par)

    lot.refresh_from_db()
    assert (lot.statut, lot.traites) == ("termine", 10)
    statuts = list(LigneLot.objects.filter(lot=lot).values_list("statut", flat=True))
    assert sorted(statuts).count("enregistree") == 9
    assert statuts.count("suspicion_doublon") == 1
    assert Demande.objects.filter(guichet_enregistreur=guichet).count() == 9
