"""The identity index of the demandes already registered (issue 11)."""

from django.db import migrations


def indexer(apps, schema_editor):
    from sne.doublons.services import Identite, _cles

    Personne = apps.get_model("demandes", "Personne")
    EmpreinteIdentite = apps.get_model("doublons", "EmpreinteIdentite")
    lot = []
    personnes = Personne.objects.filter(role__in=["demandeur", "co_demandeur"]).select_related(
        "demande__guichet_enregistreur"
    )
    for p in personnes.iterator(chunk_size=2000):
        d = p.demande
        identite = Identite(
            nom=p.nom,
            prenom=p.prenom,
            date_naissance=p.date_naissance,
            nom_naissance=p.nom_naissance,
            nir=p.nir,
            piece_identite_numero=p.piece_identite_numero,
            email=p.email,
            telephone=p.telephone,
            civilite=p.civilite,
        )
        lot.append(
            EmpreinteIdentite(
                personne_id=p.pk,
                demande_id=d.pk,
                role=p.role,
                actif=d.statut == "active",
                numero_unique=d.numero_unique,
                departement=d.departement_id,
                date_depot=d.date_depot,
                guichet=d.guichet_enregistreur.code,
                **_cles(identite),
            )
        )
        if len(lot) >= 2000:
            EmpreinteIdentite.objects.bulk_create(lot)
            lot = []
    EmpreinteIdentite.objects.bulk_create(lot)


class Migration(migrations.Migration):
    dependencies = [
        ("doublons", "0001_empreintes_identite"),
        ("demandes", "0011_flux_evenements"),
    ]

    operations = [migrations.RunPython(indexer, migrations.RunPython.noop)]
