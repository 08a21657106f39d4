"""The NIR key of the identity index keeps its 13 identifying characters, without the 2-digit
control key (`cles.compacter_nir`): a NIR typed without its key, or with dashes, is found."""

from django.db import migrations
from django.db.models.functions import Substr


def sans_cle(apps, schema_editor):
    EmpreinteIdentite = apps.get_model("doublons", "EmpreinteIdentite")
    EmpreinteIdentite.objects.exclude(nir="").update(nir=Substr("nir", 1, 13))


class Migration(migrations.Migration):
    dependencies = [("doublons", "0003_decisions_sur_les_doublons")]

    operations = [migrations.RunPython(sans_cle, migrations.RunPython.noop)]
