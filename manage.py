#!/usr/bin/env python
"""Django's command-line utility for the SNE."""

import os
import sys
from pathlib import Path


def preparer_repertoire_donnees() -> None:
    """The embedded mode keeps its SQLite database, Huey queue and generated secret key in
    SNE_DATA_DIR (./var by default, the same rule as sne/settings/base.py): create them before
    any command, since importing the settings creates nothing. `make run` starts with a command,
    so its web and worker processes find them."""
    repertoire = Path(os.environ.get("SNE_DATA_DIR", Path(__file__).resolve().parent / "var"))
    repertoire = repertoire.resolve()
    repertoire.mkdir(parents=True, exist_ok=True)
    if os.environ.get("SECRET_KEY"):
        return
    from django.core.management.utils import get_random_secret_key

    drapeaux = os.O_WRONLY | os.O_CREAT | os.O_EXCL  # never overwrite a key already there
    try:
        descripteur = os.open(repertoire / "secret_key", drapeaux, 0o600)
    except FileExistsError:
        return
    with os.fdopen(descripteur, "w") as fichier:
        fichier.write(get_random_secret_key())


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sne.settings")
    preparer_repertoire_donnees()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
