"""Sending an SMS, behind one small interface (`envoyer_sms`), like Django's e-mail backends.

The backend is named by the setting `SMS_BACKEND` (environment variable of the same name):

- `sne.notifications.sms.FichierSms` — the embedded default: each SMS is a file under
  `SNE_DATA_DIR/sms/`, to read what would have been sent;
- `sne.notifications.sms.MemoireSms` — the tests: `MemoireSms.boite` lists the SMS sent;
- `sne.notifications.sms.BrevoSms` — a real provider (Brevo, transactional SMS API v3), with
  `SMS_BREVO_CLE_API` and `SMS_EXPEDITEUR` (docs/notifications.md).

A backend raises `ErreurSms` when the provider refuses or cannot be reached: the message stays
in the outbox and is tried again later (`sne.notifications.services.envoyer_message`).
"""

import json
import uuid
from pathlib import Path
from urllib import error, request

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class ErreurSms(Exception):
    """The SMS could not be handed to the provider (`definitive`: it never will, e.g. a number
    the provider refuses)."""

    def __init__(self, message: str, *, definitive: bool = False):
        super().__init__(message)
        self.definitive = definitive


class FichierSms:
    def envoyer(self, numero: str, texte: str) -> str:
        dossier = Path(settings.DATA_DIR) / "sms"
        dossier.mkdir(parents=True, exist_ok=True)
        identifiant = uuid.uuid4().hex
        horodatage = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        (dossier / f"{horodatage}-{identifiant}.txt").write_text(
            f"À : {numero}\n\n{texte}\n", encoding="utf-8"
        )
        return identifiant


class MemoireSms:
    boite: list[dict] = []

    def envoyer(self, numero: str, texte: str) -> str:
        identifiant = uuid.uuid4().hex
        MemoireSms.boite.append({"numero": numero, "texte": texte, "identifiant": identifiant})
        return identifiant


class BrevoSms:
    """Brevo's transactional SMS (https://developers.brevo.com/reference/sendtransacsms)."""

    url = "https://api.brevo.com/v3/transactionalSMS/sms"

    def envoyer(self, numero: str, texte: str) -> str:
        corps = json.dumps(
            {
                "sender": getattr(settings, "SMS_EXPEDITEUR", "SNE"),
                "recipient": numero.lstrip("+"),
                "content": texte,
                "type": "transactional",
            }
        ).encode()
        requete = request.Request(
            getattr(settings, "SMS_BREVO_URL", self.url),
            data=corps,
            method="POST",
            headers={
                "api-key": settings.SMS_BREVO_CLE_API,
                "content-type": "application/json",
                "accept": "application/json",
            },
        )
        try:
            with request.urlopen(requete, timeout=10) as reponse:
                return str(json.loads(reponse.read() or b"{}").get("messageId", ""))
        except error.HTTPError as e:
            raise ErreurSms(
                f"Le fournisseur de SMS a refusé l'envoi (HTTP {e.code}).",
                definitive=400 <= e.code < 500 and e.code not in (401, 403, 429),
            ) from e
        except (error.URLError, TimeoutError, OSError) as e:
            raise ErreurSms(f"Le fournisseur de SMS est injoignable : {e}.") from e


def envoyer_sms(numero: str, texte: str) -> str:
    """Send `texte` to `numero` (E.164) with the configured backend; returns the provider's
    identifier of the SMS."""
    backend = import_string(getattr(settings, "SMS_BACKEND", "sne.notifications.sms.FichierSms"))
    return backend().envoyer(numero, texte)
