# The Attestation model moved here from the demandes app (ADR 0007): the table
# `demandes_attestation` already exists, only Django's state changes.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('attestations', '0001_initial'),
        ('demandes', '0004_attestation_vers_attestations'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Attestation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('type', models.CharField(choices=[('enregistrement', "Attestation d'enregistrement"), ('renouvellement', 'Attestation de renouvellement')], max_length=15, verbose_name='type')),
                        ('creee_le', models.DateTimeField(auto_now_add=True, verbose_name='créée le')),
                        ('fichier', models.FileField(blank=True, upload_to='attestations/%Y/%m/', verbose_name='PDF')),
                        ('canal', models.CharField(choices=[('email', 'Courriel'), ('courrier', 'Courrier postal (à imprimer)')], max_length=10, verbose_name="canal d'envoi")),
                        ('envoyee_le', models.DateTimeField(blank=True, null=True, verbose_name='envoyée le')),
                        ('donnees', models.JSONField(default=dict, verbose_name="données de l'attestation")),
                        ('demande', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attestations', to='demandes.demande')),
                    ],
                    options={
                        'verbose_name': 'attestation',
                        'db_table': 'demandes_attestation',
                        'ordering': ['demande', '-creee_le'],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
