"""The attestations sent before the notifications app become its messages (migration
notifications.0002): nothing sent is forgotten, nothing waiting is lost."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

AVANT = [
    ("attestations", "0004_un_avis_par_personne_et_par_separation"),
    ("notifications", "0001_initial"),
]
APRES = [("attestations", "0005_l_envoi_passe_aux_notifications")]


@pytest.mark.django_db(transaction=True)
def test_les_envois_d_attestations_deviennent_des_messages(referentiels_charges):
    executor = MigrationExecutor(connection)
    executor.migrate(AVANT)
    anciennes = executor.loader.project_state(AVANT).apps
    Guichet = anciennes.get_model("organisations", "Guichet")
    Organisation = anciennes.get_model("organisations", "Organisation")
    Demande = anciennes.get_model("demandes", "Demande")
    Attestation = anciennes.get_model("attestations", "Attestation")
    try:
        organisation = Organisation.objects.create(nom="Bailleur", type="bailleur")
        guichet = Guichet.objects.create(code="75MG1", nom="Agence", organisation=organisation)
        demandes = [
            Demande.objects.create(
                numero_unique=f"07501260000{i}075MG1",
                departement_id="75",
                guichet_enregistreur=guichet,
                date_depot=datetime.date(2026, 1, 2),
                date_expiration=datetime.date(2027, 1, 2),
                nombre_personnes=1,
                deja_locataire_hlm=False,
            )
            for i in range(1, 3)
        ]
        envoyee = timezone.now() + datetime.timedelta(minutes=1)
        donnees = {"demandeur": {"email": "elodie@example.fr"}, "numero_unique": "x"}
        Attestation.objects.create(
            demande=demandes[0],
            type="enregistrement",
            canal="email",
            envoyee_le=envoyee,
            donnees=donnees,
        )
        Attestation.objects.create(demande=demandes[1], type="enregistrement", canal="courrier")
        Attestation.objects.create(
            demande=demandes[0],
            type="separation",
            separation=demandes[1],
            canal="courrier",
            donnees=donnees,
        )

        executor = MigrationExecutor(connection)
        executor.migrate(APRES)
        apps = executor.loader.project_state(APRES).apps
        Message = apps.get_model("notifications", "Message")

        resume = sorted(
            Message.objects.values_list("type", "canal", "statut", "demande_id", "destinataire")
        )
        assert resume == [
            ("attestation_enregistrement", "courrier", "a_imprimer", demandes[1].pk, ""),
            ("attestation_enregistrement", "email", "envoye", demandes[0].pk, "elodie@example.fr"),
            ("avis_separation", "courrier", "a_imprimer", demandes[0].pk, ""),
        ]
        envoye = Message.objects.get(canal="email")
        assert list(envoye.evenements.values_list("type", flat=True).order_by("survenu_le")) == [
            "cree",
            "envoye",
        ]
        assert envoye.envoye_le == envoyee
        separation = Message.objects.get(type="avis_separation")
        assert separation.attestation_id is None and separation.donnees == donnees
        assert apps.get_model("attestations", "Attestation").objects.count() == 2
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
