"""Telephone numbers typed before they were checked, written in E.164 (« +33612345678 »), the
one stored format (issue 9): those of the people of the demandes and of the desks' contact
points.

A number that cannot be read (« 12345 », a missing digit) is kept as it was typed: it is still
what the desk was told, a person can call it or see the mistake, and deleting it would lose it
for good. Pages show it as typed (`telephone_lisible`), and the next modification of the
demande asks for a valid number or an empty field.
"""

from django.db import migrations

from sne.referentiels.telephones import TelephoneInvalide, normaliser_telephone


def _normaliser(modele) -> None:
    a_changer = []
    for objet in modele.objects.exclude(telephone="").only("pk", "telephone").iterator():
        try:
            numero = normaliser_telephone(objet.telephone)
        except TelephoneInvalide:
            continue
        if numero != objet.telephone:
            objet.telephone = numero
            a_changer.append(objet)
    modele.objects.bulk_update(a_changer, ["telephone"], batch_size=1000)


def normaliser_les_telephones(apps, schema_editor):
    _normaliser(apps.get_model("demandes", "Personne"))
    _normaliser(apps.get_model("organisations", "PointContact"))


class Migration(migrations.Migration):
    dependencies = [
        ("demandes", "0009_assistant_saisies_en_cours"),
        ("organisations", "0001_initial"),
    ]

    operations = [
        # Going back keeps E.164 numbers: they are valid numbers in any format.
        migrations.RunPython(normaliser_les_telephones, migrations.RunPython.noop),
    ]
