"""What every bench prints beside its figures: the load of the machine and the code measured
(on 2 shared cores the figures also measure the other processes; the code may change between
two runs). Imported by the benches, which run as scripts from bench/."""

import os
import platform
import subprocess
from datetime import datetime
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent


def charge() -> str:
    """Charge moyenne de la machine (1, 5, 15 min) : sur 2 cœurs, au-delà de 2 les chiffres
    mesurent aussi les autres processus."""
    try:
        return "load average " + " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "load average inconnue"


def decrire_code() -> str:
    """La révision mesurée : le code peut changer entre deux exécutions du banc."""

    def git(*arguments: str) -> str:
        return subprocess.run(
            ["git", *arguments], cwd=RACINE, capture_output=True, text=True, check=True
        ).stdout.strip()

    try:
        revision = git("rev-parse", "--short", "HEAD")
        modifies = git("status", "--porcelain", "--untracked-files=no", "--", "sne")
    except (OSError, subprocess.CalledProcessError):
        return "inconnu (pas de dépôt git)"
    if not modifies:
        return revision
    return f"{revision} + {len(modifies.splitlines())} fichier(s) de sne/ modifié(s) non commité(s)"


def imprimer_entete(titre: str) -> None:
    """The first lines of a bench's output: what is measured, when, on what, which code."""
    print(titre)
    print(f"Date             : {datetime.now().astimezone().isoformat(timespec='seconds')}")
    print(
        f"Python           : {platform.python_version()} ({platform.machine()}, "
        f"{os.cpu_count()} cœurs)"
    )
    print(f"Charge machine   : {charge()} au départ")
    print(f"Code             : {decrire_code()}")
