"""Indexes of the search at national size (issue 7): the wished communes by département and
by commune, the latest demandes of a desk, and the demandeurs' folded names (PostgreSQL pattern
operator class, so that `LIKE 'mart%'` uses them whatever the database collation) and birth
date, partial and carrying the demande. SQLite ignores operator classes and included columns."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q

DEMANDEURS = Q(role__in=["demandeur", "co_demandeur"])
MOTIFS_DE_NOM = ["varchar_pattern_ops", "varchar_pattern_ops", "date_ops"]


class Migration(migrations.Migration):

    dependencies = [
        ("demandes", "0006_departement_des_communes_souhaitees"),
        ("referentiels", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="communesouhaitee",
            name="departement",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="referentiels.departement",
            ),
        ),
        migrations.AddIndex(
            model_name="communesouhaitee",
            index=models.Index(fields=["departement", "demande"], name="commune_souhaitee_dep"),
        ),
        # (commune, demande) replaces the index of the foreign key on commune alone.
        migrations.AddIndex(
            model_name="communesouhaitee",
            index=models.Index(fields=["commune", "demande"], name="commune_souhaitee_commune"),
        ),
        migrations.AlterField(
            model_name="communesouhaitee",
            name="commune",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="referentiels.commune",
            ),
        ),
        migrations.AddIndex(
            model_name="demande",
            index=models.Index(
                fields=["guichet_enregistreur", "-enregistree_le", "-id"], name="demande_recentes"
            ),
        ),
        migrations.RemoveIndex(model_name="personne", name="personne_identite"),
        migrations.RemoveIndex(model_name="personne", name="personne_nom_naissance"),
        migrations.AddIndex(
            model_name="personne",
            index=models.Index(
                fields=["nom_cle", "prenom_cle", "date_naissance"],
                name="personne_identite",
                opclasses=MOTIFS_DE_NOM,
                include=["demande"],
                condition=DEMANDEURS,
            ),
        ),
        migrations.AddIndex(
            model_name="personne",
            index=models.Index(
                fields=["nom_naissance_cle", "prenom_cle", "date_naissance"],
                name="personne_nom_naissance",
                opclasses=MOTIFS_DE_NOM,
                include=["demande"],
                condition=DEMANDEURS,
            ),
        ),
        migrations.AddIndex(
            model_name="personne",
            index=models.Index(
                fields=["date_naissance"],
                name="personne_naissance",
                include=["demande"],
                condition=DEMANDEURS,
            ),
        ),
    ]
