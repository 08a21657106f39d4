# The Attestation model moved to the attestations app (ADR 0007): its table stays
# `demandes_attestation`, only Django's state changes here.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("demandes", "0003_adresse_association"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Attestation")],
            database_operations=[],
        ),
    ]
