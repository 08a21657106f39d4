# The attestations sent before the notifications app (issue 12) become its messages: each
# attestation d'enregistrement or de renouvellement keeps its PDF and gains the message that
# carried it (e-mail, or letter printed or waiting), with the events known then (created, and
# sent or posted at `envoyee_le`). A separation notice was kept as an attestation row: its data
# move to its message and the row goes (its letter is rendered again from the same data).

from django.db import migrations

TYPES = {
    "enregistrement": "attestation_enregistrement",
    "renouvellement": "attestation_renouvellement",
    "separation": "avis_separation",
}


def reprendre(apps, schema_editor):
    Attestation = apps.get_model("attestations", "Attestation")
    Message = apps.get_model("notifications", "Message")
    EvenementMessage = apps.get_model("notifications", "EvenementMessage")
    separations = []
    for a in Attestation.objects.select_related("demande").order_by("pk").iterator():
        separation = a.type == "separation"
        envoyee = a.envoyee_le is not None
        if a.canal == "email":
            statut = "envoye" if envoyee else "a_envoyer"
        else:
            statut = "poste" if envoyee else "a_imprimer"
        demandeur = (a.donnees or {}).get("demandeur") or {}
        reference = f"s{a.separation_id}" if separation else f"a{a.pk}"
        message = Message.objects.create(
            demande_id=a.demande_id,
            departement_id=a.demande.departement_id,
            type=TYPES[a.type],
            canal=a.canal,
            statut=statut,
            cle=f"{TYPES[a.type]}:{a.demande_id}:{reference}:{a.canal}",
            date_avis=a.creee_le.date(),
            destinataire=(demandeur.get("email") or "") if a.canal == "email" else "",
            donnees=a.donnees if separation else {},
            attestation=None if separation else a,
            envoye_le=a.envoyee_le,
            prochain_essai=a.creee_le if statut == "a_envoyer" else None,
        )
        Message.objects.filter(pk=message.pk).update(cree_le=a.creee_le)
        evenements = [
            EvenementMessage(message=message, type="cree", survenu_le=a.creee_le, source="reprise")
        ]
        if envoyee:
            evenements.append(
                EvenementMessage(
                    message=message,
                    type="envoye" if a.canal == "email" else "poste",
                    survenu_le=a.envoyee_le,
                    source="reprise",
                )
            )
        EvenementMessage.objects.bulk_create(evenements)
        if separation:
            separations.append(a.pk)
    Attestation.objects.filter(pk__in=separations).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("attestations", "0004_un_avis_par_personne_et_par_separation"),
    ]

    operations = [migrations.RunPython(reprendre, migrations.RunPython.noop)]
