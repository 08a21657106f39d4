"""The read replica (DATABASE_REPLICA_URL): the snapshots are read there, everything else and
every write on `default`. In the suite the replica is a test mirror of `default` (the same test
database through a second connection, sne/settings/test.py), on SQLite and PostgreSQL alike;
the mirror sees only committed rows, hence transactional tests."""

from datetime import date

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sne.referentiels.models import Commune
from sne.statistiques import services
from sne.statistiques.models import Indicateur, Instantane, Mesure
from sne.statistiques.routeur import REPLIQUE
from tests.factories import gestionnaire
from tests.outils import connecter, texte

from .conftest import VEILLE

DEUX_BASES = [DEFAULT_DB_ALIAS, REPLIQUE]
URL = reverse("statistiques:tableau")


def requetes(capture, texte_sql: str) -> list[str]:
    return [q["sql"] for q in capture.captured_queries if texte_sql in q["sql"]]


def capturer():
    return (
        CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]),
        CaptureQueriesContext(connections[REPLIQUE]),
    )


# One transactional test (its teardown empties every table, the referential included): the
# snapshot, the reads of its rows, then the page and its export.
@pytest.mark.aujourd_hui(date(2027, 2, 1))
@pytest.mark.django_db(transaction=True, databases=DEUX_BASES)
def test_l_instantane_s_ecrit_sur_default_et_la_page_des_statistiques_le_lit_sur_la_replique(
    referentiels_charges, client, registre
):
    default, replique = capturer()
    with default, replique:
        instantane = services.prendre_instantane()
        # Asked again (the nightly task retried): `default` says the day is taken, whatever
        # the replica says; the replica is never asked during the snapshot.
        assert services.prendre_instantane().pk == instantane.pk
    assert replique.captured_queries == []
    assert requetes(default, 'INSERT INTO "statistiques_mesure"')

    default, replique = capturer()
    with default, replique:
        lues = Mesure.objects.filter(jour=VEILLE, departement="93", indicateur=Indicateur.ACTIVES)
        assert [m.valeur for m in lues] == [1]
        # A snapshot read on the replica reads its rows there; one taken on `default` (just
        # written) reads them on `default`, as does any read inside a transaction.
        relu = Instantane.objects.get(jour=VEILLE)
        assert relu._state.db == REPLIQUE
        assert relu.mesures.count() == instantane.mesures.count() > 0
        with transaction.atomic():
            assert Mesure.objects.filter(jour=VEILLE, departement="75").exists()
    compter = 'COUNT(*) AS "__count" FROM "statistiques_mesure"'
    assert len(requetes(replique, '"statistiques_mesure"')) == 2
    assert len(requetes(replique, compter)) == len(requetes(default, compter)) == 1
    assert len(requetes(default, '"statistiques_mesure"."departement" = \'75\'')) == 1
    assert router.db_for_read(Mesure) == router.db_for_read(Instantane) == REPLIQUE
    assert router.db_for_write(Mesure) == router.db_for_write(Instantane) == DEFAULT_DB_ALIAS
    assert router.db_for_read(Commune) == DEFAULT_DB_ALIAS  # the rest of the register

    connecter(client, gestionnaire("93"))
    default, replique = capturer()
    with default, replique:
        page = texte(client.get(URL))
        export = client.get(URL + "?territoire=93&export=communes&format=csv")

    assert "instantané du registre du <strong>14/03/2027</strong>" in page
    assert "1 demande active" in page
    assert "Saint-Denis" in page  # the commune's name, from the referential on `default`
    assert export.status_code == 200 and "Saint-Denis;93066;1" in export.content.decode()
    assert requetes(replique, '"statistiques_mesure"')
    assert requetes(replique, '"statistiques_instantane"')
    assert not requetes(default, "statistiques_")
    assert not requetes(replique, "referentiels_") and requetes(default, "referentiels_commune")
    assert requetes(default, "audit_")  # the export's audit entry, written on `default`


@pytest.mark.skipif(
    settings.DATABASES[REPLIQUE]["ENGINE"] != "django.db.backends.postgresql",
    reason="Sessions de la réplique en lecture seule : PostgreSQL seulement.",
)
@pytest.mark.django_db(databases=DEUX_BASES)
def test_une_ecriture_envoyee_par_erreur_a_la_replique_est_refusee():
    """On PostgreSQL the replica's sessions are read-only, as a hot standby's: the mirror of the
    suite refuses a write too, so that a write routed there would fail the CI."""
    with pytest.raises(DatabaseError, match="read-only"):
        Instantane.objects.using(REPLIQUE).create(jour=VEILLE, duree=0, demandes_actives=0)
