"""The data migration of issue 9: desks that existed before « no saisie before the set-up is
finalised » (0002_parametrage_finalise_avec_convention)."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

AVANT = [("organisations", "0001_initial")]
APRES = [("organisations", "0002_parametrage_finalise_avec_convention")]


def migrer(cible):
    executeur = MigrationExecutor(connection)
    executeur.loader.build_graph()
    executeur.migrate(cible)
    return executeur.loader.project_state(cible).apps


def test_un_guichet_existant_avec_convention_et_adresse_est_considere_parametre():
    anciennes = migrer(AVANT)
    Organisation = anciennes.get_model("organisations", "Organisation")
    Guichet = anciennes.get_model("organisations", "Guichet")
    PointContact = anciennes.get_model("organisations", "PointContact")
    avec_adresse = Organisation.objects.create(nom="A", type="bailleur", adresse="1 rue X")
    sans_adresse = Organisation.objects.create(nom="B", type="bailleur")
    convention = date(2025, 1, 15)
    Guichet.objects.create(
        code="MIG01", nom="1", organisation=avec_adresse, convention_signee_le=convention
    )
    par_contact = Guichet.objects.create(
        code="MIG02", nom="2", organisation=sans_adresse, convention_signee_le=convention
    )
    PointContact.objects.create(guichet=par_contact, libelle="Accueil", adresse="2 place Y")
    Guichet.objects.create(
        code="MIG03", nom="3", organisation=sans_adresse, convention_signee_le=convention
    )
    Guichet.objects.create(code="MIG04", nom="4", organisation=avec_adresse)
    Guichet.objects.create(
        code="MIG05",
        nom="5",
        organisation=avec_adresse,
        parametrage_termine_le="2025-02-01T10:00:00Z",
    )

    try:
        nouvelles = migrer(APRES)
        parametres = set(
            nouvelles.get_model("organisations", "Guichet")
            .objects.filter(parametrage_termine_le__isnull=False)
            .values_list("code", flat=True)
        )
    finally:
        migrer(executeur_cible_finale())

    # With convention and address (its organisation's or a contact point's): finalised.
    # Without address, without convention, or « finalised » without convention: to finish.
    assert parametres == {"MIG01", "MIG02"}


def executeur_cible_finale():
    executeur = MigrationExecutor(connection)
    return executeur.loader.graph.leaf_nodes()
