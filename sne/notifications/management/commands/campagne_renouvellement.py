"""`manage.py campagne_renouvellement [--date AAAA-MM-JJ] [--a-blanc]`: the renewal campaign of
a day (`sne.notifications.campagne`), then the outbox (e-mails and SMS due).

`--a-blanc` counts what the campaign would do and changes nothing. The worker runs it by itself
every day; this command is for a given date (a test, a catch-up, a demonstration)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from sne.notifications import services
from sne.notifications.campagne import lancer_campagne


class Command(BaseCommand):
    help = "Campagne de renouvellement d'un jour : préavis, radiations pour non-renouvellement."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="Le jour de la campagne (AAAA-MM-JJ) ; aujourd'hui par défaut."
        )
        parser.add_argument(
            "--a-blanc",
            action="store_true",
            help="Compter seulement : aucun envoi, aucune radiation.",
        )

    def handle(self, *args, **options):
        le = None
        if options["date"]:
            try:
                le = date.fromisoformat(options["date"])
            except ValueError as e:
                raise CommandError(
                    f"Date invalide : « {options['date']} ». "
                    "Écrivez-la AAAA-MM-JJ, par exemple 2027-03-01."
                ) from e

        verbosite = options["verbosity"]

        def progression(bilan):
            if verbosite > 1:
                self.stdout.write(f"  … {bilan.preavis} préavis, {bilan.radiations} radiations")

        bilan = lancer_campagne(le, a_blanc=options["a_blanc"], progression=progression)
        jour = f"{bilan.date:%d/%m/%Y}"
        if bilan.a_blanc:
            self.stdout.write(
                f"Campagne du {jour}, à blanc : {bilan.preavis} préavis à envoyer, "
                f"{bilan.radiations} demande(s) à radier pour non-renouvellement. Rien n'a changé."
            )
            return
        envoyes = services.envoyer_messages_en_attente()
        canaux = ", ".join(f"{n} {c}" for c, n in sorted(bilan.par_canal.items())) or "aucun"
        self.stdout.write(
            self.style.SUCCESS(
                f"Campagne du {jour} : {bilan.preavis} préavis, {bilan.radiations} radiation(s) "
                f"pour non-renouvellement ; {bilan.messages} message(s) ({canaux}), "
                f"{envoyes} e-mail(s)/SMS envoyé(s), {bilan.injoignables} demandeur(s) "
                "injoignable(s) (« Demandeurs à recontacter »)."
            )
        )
