from django.conf import settings
from django.core.management.base import BaseCommand

from sne.demo.donnees import (
    MOT_DE_PASSE_DEMO,
    creer_attributions_demo,
    creer_demandes_demo,
    creer_demandeur_portail_demo,
    creer_donnees_demo,
    creer_grille_demo,
    creer_statistiques_demo,
)


class Command(BaseCommand):
    help = "Crée (ou remet à l'état de démonstration) les guichets, comptes et données de démo."

    def handle(self, *args, **options):
        comptes = creer_donnees_demo()
        nouvelles = creer_demandes_demo()
        if nouvelles:
            self.stdout.write(f"{nouvelles} demandes de démonstration enregistrées.")
        self.stdout.write(
            self.style.SUCCESS("Données de démonstration prêtes (guichets 75BA1, 93CO1).")
        )
        self.stdout.write(f"Comptes de démonstration (mot de passe : {MOT_DE_PASSE_DEMO}) :")
        for compte in comptes:
            self.stdout.write(f"  - {compte['email']:<42} {compte['libelle']}")
        self.stdout.write(
            "Gestionnaires et administratrice (double authentification obligatoire) : "
            "code de secours sne-demo-1 … sne-demo-10 (chacun une fois, remis à chaque make run)."
        )
        if creer_grille_demo():
            self.stdout.write(
                f"Cotation : la grille de Paris (75) est publiée : {settings.SNE_URL_SITE}"
                "/cotation/75/ ; chaque demande active du 75 a ses points (onglet Attributions)."
            )
        cal = creer_attributions_demo()
        if cal:
            self.stdout.write(
                f"Attributions : une séance de CAL du {cal['seance'].date:%d/%m/%Y} (Habitat "
                f"Parisien, démo) a examiné les demandes {', '.join(cal['candidats'])} pour un T3 "
                "rue de Tolbiac : le deuxième attend son bail."
            )
        portail = creer_demandeur_portail_demo()
        self.stdout.write(
            f"Portail des demandeurs : {settings.SNE_URL_SITE}/portail/ — demandeuse de "
            f"démonstration : numéro unique {portail['numero_unique']}, née le "
            f"{portail['date_naissance']}, e-mail {portail['email']} (demande à renouveler avant "
            f"le {portail['date_expiration']}). Son code télédemandeur arrive dans var/mails/ "
            "(ou var/sms/)."
        )
        instantane = creer_statistiques_demo()
        if instantane:
            self.stdout.write(
                f"Statistiques : l'instantané du {instantane.jour:%d/%m/%Y} est pris "
                f"({instantane.demandes_actives} demandes actives) : {settings.SNE_URL_SITE}"
                "/gestion/statistiques/ (gestionnaires, niveau national) ; données ouvertes "
                f"du mois, sans connexion : {settings.SNE_URL_SITE}/donnees-ouvertes/"
            )
