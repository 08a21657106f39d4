"""When a refusal and a lease were keyed in (the statistics count them on that day). The
candidatures already answered get noon of the date the desk gave: the best known."""

from datetime import datetime, time

from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def dater_les_saisies(apps, schema_editor):
    Candidature = apps.get_model("attributions", "Candidature")
    for champ_date, champ_saisie in (("refusee_le", "refus_saisi_le"), ("bail_signe_le", "bail_saisi_le")):
        for pk, jour in Candidature.objects.filter(**{f"{champ_date}__isnull": False}).values_list(
            "pk", champ_date
        ).iterator():
            Candidature.objects.filter(pk=pk).update(
                **{champ_saisie: timezone.make_aware(datetime.combine(jour, time(12)))}
            )


class Migration(migrations.Migration):

    dependencies = [
        ('attributions', '0003_classement_des_candidats'),
        ('demandes', '0014_actions_des_attributions'),
        ('organisations', '0002_parametrage_finalise_avec_convention'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='candidature',
            name='bail_saisi_le',
            field=models.DateTimeField(blank=True, null=True, verbose_name='bail saisi le'),
        ),
        migrations.AddField(
            model_name='candidature',
            name='refus_saisi_le',
            field=models.DateTimeField(blank=True, null=True, verbose_name='refus saisi le'),
        ),
        migrations.RunPython(dater_les_saisies, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='candidature',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('refus_saisi_le__isnull', True), ('refusee_le__isnull', True)), models.Q(('refus_saisi_le__isnull', False), ('refusee_le__isnull', False)), _connector='OR'), name='candidature_refus_date_de_saisie'),
        ),
        migrations.AddConstraint(
            model_name='candidature',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('bail_saisi_le__isnull', True), ('bail_signe_le__isnull', True)), models.Q(('bail_saisi_le__isnull', False), ('bail_signe_le__isnull', False)), _connector='OR'), name='candidature_bail_date_de_saisie'),
        ),
    ]
