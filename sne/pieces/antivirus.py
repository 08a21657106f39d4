"""The antivirus: every pièce goes through a ClamAV daemon (clamd) before anyone can open it.

`analyser(contenu)` sends the bytes to clamd (INSTREAM, through clamav-client) and answers
`SAIN`, `INFECTE` (with the signature's name) or `INDISPONIBLE` when no daemon answers — never
« sain » by default: an unanalysed pièce waits « en attente d'analyse » (`services`), and the
periodic task `analyser_pieces_en_attente` tries again.

`SNE_CLAMAV` names the daemon: `unix:/chemin/clamd.sock` or `tcp:hote:port`.

`demarrer_clamd(dossier)` starts a daemon of our own for `make run` and the tests
(`manage.py antivirus`): Debian's clamd with the signature database shipped in
`sne/pieces/clamav/` (the EICAR test file's hash, ClamAV's `.hdb` format), since these
machines cannot download ClamAV's databases. Production runs Debian's clamav-daemon with its
databases kept up to date by freshclam (docs/pieces.md, « Antivirus »).
"""

import enum
import io
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from clamav_client.clamd import ClamdError, ClamdNetworkSocket, ClamdUnixSocket
from django.conf import settings

BASES_DE_TEST = Path(__file__).resolve().parent / "clamav"
CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"


class Verdict(enum.Enum):
    SAIN = "sain"
    INFECTE = "infecte"
    INDISPONIBLE = "indisponible"


@dataclass(frozen=True)
class Analyse:
    verdict: Verdict
    signature: str = ""
    erreur: str = ""


def client(adresse: str | None = None, delai: float | None = None):
    adresse = adresse or settings.SNE_CLAMAV
    delai = settings.SNE_CLAMAV_DELAI if delai is None else delai
    genre, _, reste = adresse.partition(":")
    if genre == "tcp":
        hote, _, port = reste.rpartition(":")
        return ClamdNetworkSocket(host=hote or "127.0.0.1", port=int(port), timeout=delai)
    if genre == "unix":
        return ClamdUnixSocket(path=reste, timeout=delai)
    raise ValueError(f"SNE_CLAMAV : « {adresse} » n'est ni unix:/chemin ni tcp:hote:port.")


def analyser(contenu: bytes) -> Analyse:
    try:
        resultat = client().instream(io.BytesIO(contenu))
    except (ClamdError, OSError) as e:
        return Analyse(Verdict.INDISPONIBLE, erreur=str(e)[:300])
    statut, signature = resultat.get("stream", ("ERROR", "réponse vide"))
    if statut == "OK":
        return Analyse(Verdict.SAIN)
    if statut == "FOUND":
        return Analyse(Verdict.INFECTE, signature=signature or "signature inconnue")
    # « ERROR » : size limit exceeded, unreadable stream… the file was not analysed.
    return Analyse(Verdict.INDISPONIBLE, erreur=f"{statut} {signature}"[:300])


def disponible() -> bool:
    return disponible_sur(settings.SNE_CLAMAV)


def configuration(dossier: Path, bases: Path = BASES_DE_TEST) -> Path:
    """Write the configuration of a clamd listening on `dossier/clamd.sock`."""
    dossier.mkdir(parents=True, exist_ok=True)
    fichier = dossier / "clamd.conf"
    lignes = [
        f"DatabaseDirectory {bases}",
        f"LocalSocket {dossier / 'clamd.sock'}",
        "LocalSocketMode 660",
        "Foreground yes",
        f"PidFile {dossier / 'clamd.pid'}",
        "LogTime yes",
        # Over the largest pièce, so that every pièce is analysed whole.
        f"StreamMaxLength {settings.SNE_PIECES_TAILLE_MAX // 1_048_576 + 5}M",
        "MaxThreads 4",
        "SelfCheck 3600",
    ]
    if os.geteuid() == 0:
        lignes.append("User root")  # clamd would switch to the « clamav » user otherwise
    fichier.write_text("\n".join(lignes) + "\n", encoding="utf-8")
    return fichier


def demarrer_clamd(dossier: Path, attente: float = 60.0) -> subprocess.Popen:
    """Start a clamd on `dossier/clamd.sock` with the test signatures; return once it answers
    (or raise `RuntimeError` with its log)."""
    if not Path(CLAMD).exists():
        raise RuntimeError(
            "ClamAV n'est pas installé (paquet Debian clamav-daemon) : "
            "apt-get install clamav-daemon."
        )
    conf = configuration(dossier)
    socket = dossier / "clamd.sock"
    socket.unlink(missing_ok=True)
    journal = open(dossier / "clamd.log", "ab")  # noqa: SIM115 (kept open for the daemon)
    processus = subprocess.Popen([CLAMD, "-c", str(conf)], stdout=journal, stderr=subprocess.STDOUT)
    fin = time.monotonic() + attente
    while time.monotonic() < fin:
        if processus.poll() is not None:
            break
        if socket.exists() and disponible_sur(f"unix:{socket}"):
            return processus
        time.sleep(0.1)
    processus.kill()
    raise RuntimeError(
        "clamd n'a pas démarré : "
        + (dossier / "clamd.log").read_text(encoding="utf-8", errors="replace")[-2000:]
    )


def disponible_sur(adresse: str) -> bool:
    try:
        return client(adresse, delai=2).ping() == "PONG"
    except (ClamdError, OSError):
        return False
