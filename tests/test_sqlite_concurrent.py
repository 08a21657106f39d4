"""The embedded SQLite database is set up for concurrent use: a second writer waits, it never
gets "database is locked", and no update is lost (WAL, busy timeout, IMMEDIATE transactions)."""

import os
import subprocess
import sys
from pathlib import Path

RACINE = Path(__file__).resolve().parent.parent

ECRIVAIN = """
import os, time, django
os.environ["DJANGO_SETTINGS_MODULE"] = "sne.settings"
django.setup()
from django.db import connection, transaction
with connection.cursor() as c:
    c.execute("CREATE TABLE IF NOT EXISTS compteur (id INTEGER PRIMARY KEY, n INTEGER)")
    c.execute("INSERT OR IGNORE INTO compteur VALUES (1, 0)")
    c.execute("PRAGMA journal_mode")
    print(c.fetchone()[0])
for _ in range(40):
    with transaction.atomic():
        with connection.cursor() as c:
            c.execute("SELECT n FROM compteur WHERE id = 1")
            n = c.fetchone()[0]
            time.sleep(0.002)  # read, think, then write: the classic lost update
            c.execute("UPDATE compteur SET n = %s WHERE id = 1", [n + 1])
"""


def test_deux_ecrivains_simultanes_attendent_leur_tour_sans_erreur_ni_perte(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTEST_VERSION")}
    env["SNE_DATA_DIR"] = str(tmp_path)
    processus = [
        subprocess.Popen(
            [sys.executable, "-c", ECRIVAIN],
            cwd=RACINE,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(3)
    ]
    sorties = [p.communicate(timeout=120) for p in processus]

    for p, (sortie, erreurs) in zip(processus, sorties, strict=True):
        assert p.returncode == 0, erreurs
        assert "database is locked" not in erreurs
        assert sortie.strip() == "wal"
    import sqlite3

    with sqlite3.connect(tmp_path / "sne.sqlite3") as base:
        assert base.execute("SELECT n FROM compteur").fetchone()[0] == 120
