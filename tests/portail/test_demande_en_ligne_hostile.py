"""No input of the online application makes a 500: the hostile-input walk of
tests/test_saisies_hostiles.py over its pages, every field of every step filled with hostile
values one at a time, on a draft opened by its link (SQLite and PostgreSQL)."""

import pytest

from tests import test_saisies_hostiles as marche
from tests.portail.test_demande_en_ligne import (
    DEBUT,
    REPRENDRE,
    commencer,
    deposer,
    etape,
    remplir,
)

pytestmark = pytest.mark.django_db


def test_aucune_saisie_hostile_de_la_demande_en_ligne_ne_provoque_d_erreur_500(
    client, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(marche, "EXCLUES", (*marche.EXCLUES, "/portail/deconnexion/"))
    commencer(client, django_capture_on_commit_callbacks)
    remplir(client)
    deposer(client)
    depart = [etape(s) for s in ("recapitulatif", "piece", "souhaits", "ressources", "menage")]
    depart += [etape("coordonnees"), etape("demandeur"), etape("departement"), DEBUT, REPRENDRE]
    with django_capture_on_commit_callbacks(execute=True):
        erreurs = marche._parcourir(client, depart)
    assert not erreurs, "\n".join(erreurs)


def test_aucune_saisie_hostile_sans_brouillon_ouvert_ne_provoque_d_erreur_500(client):
    erreurs = marche._parcourir(client, ["/portail/", DEBUT, REPRENDRE, etape("demandeur")])
    assert not erreurs, "\n".join(erreurs)
