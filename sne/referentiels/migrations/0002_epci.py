import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('referentiels', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='Epci',
            fields=[
                ('code', models.CharField(max_length=9, primary_key=True, serialize=False, verbose_name='SIREN')),
                ('nom', models.CharField(max_length=150, verbose_name='nom')),
                ('type', models.CharField(choices=[('CC', 'Communauté de communes'), ('CA', "Communauté d'agglomération"), ('CU', 'Communauté urbaine'), ('METRO', 'Métropole'), ('MET69', 'Métropole de Lyon')], max_length=5, verbose_name='type')),
                ('date_fermeture', models.DateField(blank=True, null=True, verbose_name='fermé le')),
            ],
            options={
                'verbose_name': 'EPCI',
                'verbose_name_plural': 'EPCI',
                'ordering': ['nom'],
                'constraints': [models.CheckConstraint(condition=models.Q(('code__regex', '^[0-9]{9}$')), name='epci_siren')],
            },
        ),
        migrations.AddField(
            model_name='commune',
            name='epci',
            field=models.ForeignKey(blank=True, help_text="Vide pour les quatre îles mono-communales qui n'en ont pas.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='communes', to='referentiels.epci', verbose_name='EPCI'),
        ),
    ]
