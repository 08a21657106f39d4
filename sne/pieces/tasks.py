"""The periodic tasks of the dossier unique (Huey)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from .services import (
    analyser_pieces_en_attente,
    nettoyer_fichiers_orphelins,
    purger_pieces_expirees,
)


@db_periodic_task(crontab(minute="*/5"))
def analyser_en_attente() -> int:
    """The pièces that arrived while the antivirus did not answer, every five minutes."""
    return analyser_pieces_en_attente()


@db_periodic_task(crontab(hour="3", minute="40"))
def purger_pieces() -> int:
    """Nightly: the pièces of the demandes struck off more than a year ago, then the files
    left without a pièce."""
    effacees = purger_pieces_expirees()
    nettoyer_fichiers_orphelins()
    return effacees
