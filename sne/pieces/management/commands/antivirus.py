"""`manage.py antivirus`: run a ClamAV daemon for the embedded default (`make run`'s
Procfile), with the project's test signatures (sne/pieces/clamav/), on the socket that
`SNE_CLAMAV` names by default. Without ClamAV installed it says so and waits, so that
`make run` goes on: pièces then wait « en attente d'analyse » (docs/pieces.md)."""

import signal
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from sne.pieces import antivirus


class Command(BaseCommand):
    help = "Démarre l'antivirus ClamAV (clamd) de l'installation embarquée."

    def handle(self, *args, **options):
        genre, _, chemin = settings.SNE_CLAMAV.partition(":")
        if genre != "unix":
            self.stdout.write(f"SNE_CLAMAV vaut {settings.SNE_CLAMAV} : rien à démarrer ici.")
            return self._attendre()
        try:
            processus = antivirus.demarrer_clamd(Path(chemin).parent)
        except RuntimeError as erreur:
            self.stderr.write(
                f"Antivirus indisponible — {erreur}\nLes pièces ajoutées resteront « en attente "
                "d'analyse » jusqu'à ce qu'il démarre."
            )
            return self._attendre()
        self.stdout.write(f"Antivirus ClamAV prêt sur {chemin} (signatures de test).")
        signal.signal(signal.SIGTERM, lambda *_: processus.terminate())
        try:
            processus.wait()
        except KeyboardInterrupt:
            processus.terminate()
            processus.wait(10)

    def _attendre(self):
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return
