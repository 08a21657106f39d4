from pathlib import Path

from django.core.management.base import BaseCommand

from sne.referentiels.chargement import DOSSIER_DONNEES, charger_referentiels
from sne.referentiels.models import Commune, Departement


class Command(BaseCommand):
    help = (
        "Charge ou met à jour les départements, communes (COG de l'INSEE) et codes postaux "
        "depuis les fichiers CSV de sne/referentiels/data/. Idempotent : un second passage "
        "ne change rien ; une commune disparue est fermée, jamais supprimée."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dossier", type=Path, default=DOSSIER_DONNEES, help="Dossier des fichiers CSV."
        )

    def handle(self, *args, dossier: Path, **options):
        compteurs = charger_referentiels(dossier)
        if any(compteurs.values()):
            changements = ", ".join(f"{k} : {v}" for k, v in compteurs.items() if v)
            self.stdout.write(self.style.SUCCESS(f"Référentiels mis à jour ({changements})."))
        else:
            self.stdout.write("Référentiels déjà à jour : aucun changement.")
        self.stdout.write(
            f"{Departement.objects.filter(date_fermeture=None).count()} départements, "
            f"{Commune.objects.filter(date_fermeture=None).count()} communes en vigueur."
        )
