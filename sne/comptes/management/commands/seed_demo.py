from django.core.management.base import BaseCommand

from sne.comptes.demo import MOT_DE_PASSE_DEMO, creer_comptes_demo


class Command(BaseCommand):
    help = "Crée (ou remet à l'état de démonstration) les comptes et données de démonstration."

    def handle(self, *args, **options):
        comptes = creer_comptes_demo()
        self.stdout.write(self.style.SUCCESS("Données de démonstration prêtes."))
        self.stdout.write(f"Comptes de démonstration (mot de passe : {MOT_DE_PASSE_DEMO}) :")
        for compte in comptes:
            self.stdout.write(f"  - {compte['email']:<40} {compte['role']}")
