"""The periodic tasks of the dossier unique (Huey)."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import numeriseur
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


@db_task(priority=10)
def traiter_lot_numeriseur_tache(lot_id: str) -> None:
    """A lot of the industrial scanner, line by line (`numeriseur.traiter_lot_numeriseur`)."""
    numeriseur.traiter_lot_numeriseur(lot_id)


@db_task(retries=5, retry_delay=60)
def prevenir_rejets_numeriseur(lot_id: str) -> int:
    """The e-mails to the desks whose pièces of the lot were rejected."""
    return numeriseur.prevenir_des_rejets(lot_id)


@db_periodic_task(crontab(minute="*/10"))
def reprendre_lots_numeriseur() -> int:
    """Lots of the scanner left unfinished (worker stopped), resumed at their first waiting
    line."""
    return numeriseur.reprendre_lots_interrompus()
