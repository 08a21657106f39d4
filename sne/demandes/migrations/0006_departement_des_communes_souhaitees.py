"""The département of each wished commune, copied onto the row where the consultation scope
filters it (`DemandeQuerySet.visibles_par`). Nullable here, filled in one UPDATE, made
mandatory by 0005 (a separate migration: PostgreSQL refuses to alter a table in the
transaction that just updated it when constraints are deferred)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copier_departements(apps, schema_editor):
    CommuneSouhaitee = apps.get_model("demandes", "CommuneSouhaitee")
    Commune = apps.get_model("referentiels", "Commune")
    CommuneSouhaitee.objects.update(
        departement=Subquery(
            Commune.objects.filter(pk=OuterRef("commune")).values("departement")[:1]
        )
    )


class Migration(migrations.Migration):

    dependencies = [
        ("demandes", "0005_integrite_version_jeton"),
        ("referentiels", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="communesouhaitee",
            name="departement",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="referentiels.departement",
            ),
        ),
        migrations.RunPython(copier_departements, migrations.RunPython.noop, elidable=True),
    ]
