"""The SMS interface and its real provider adapter (Brevo's transactional SMS), tried against a
local HTTP server standing for the provider (never the real one)."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from sne.notifications.sms import BrevoSms, ErreurSms, FichierSms, envoyer_sms

REPONSE_NORMALE = (201, {"messageId": 1511882900176220})


class FauxBrevo(BaseHTTPRequestHandler):
    recues: list = []
    reponse = REPONSE_NORMALE

    def do_POST(self):
        longueur = int(self.headers["content-length"])
        FauxBrevo.recues.append(
            {
                "entetes": {k.lower(): v for k, v in self.headers.items()},
                "corps": json.loads(self.rfile.read(longueur)),
            }
        )
        code, corps = FauxBrevo.reponse
        self.send_response(code)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(corps).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def fournisseur(settings):
    serveur = HTTPServer(("127.0.0.1", 0), FauxBrevo)
    fil = threading.Thread(target=serveur.serve_forever, daemon=True)
    fil.start()
    FauxBrevo.recues.clear()
    FauxBrevo.reponse = REPONSE_NORMALE
    settings.SMS_BACKEND = "sne.notifications.sms.BrevoSms"
    settings.SMS_BREVO_URL = f"http://127.0.0.1:{serveur.server_port}/v3/transactionalSMS/sms"
    settings.SMS_BREVO_CLE_API = "cle-de-test"
    settings.SMS_EXPEDITEUR = "SNE"
    yield FauxBrevo
    serveur.shutdown()


def test_le_sms_part_chez_le_fournisseur_avec_sa_cle(fournisseur):
    identifiant = envoyer_sms("+33612345678", "Votre demande expire le 02/01/2027.")

    assert identifiant == "1511882900176220"
    [recue] = fournisseur.recues
    assert recue["entetes"]["api-key"] == "cle-de-test"
    assert recue["corps"] == {
        "sender": "SNE",
        "recipient": "33612345678",
        "content": "Votre demande expire le 02/01/2027.",
        "type": "transactional",
    }


@pytest.mark.parametrize(("code", "definitive"), [(400, True), (401, False), (503, False)])
def test_un_refus_du_fournisseur_dit_s_il_faut_reessayer(fournisseur, code, definitive):
    fournisseur.reponse = (code, {"code": "erreur"})
    with pytest.raises(ErreurSms) as erreur:
        BrevoSms().envoyer("+33612345678", "Texte")
    assert erreur.value.definitive is definitive
    assert f"HTTP {code}" in str(erreur.value)


def test_un_fournisseur_injoignable_est_un_echec_a_reessayer(settings):
    settings.SMS_BREVO_URL = "http://127.0.0.1:9/injoignable"
    settings.SMS_BREVO_CLE_API = "cle"
    with pytest.raises(ErreurSms) as erreur:
        BrevoSms().envoyer("+33612345678", "Texte")
    assert not erreur.value.definitive


def test_en_mode_embarque_chaque_sms_est_un_fichier(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    FichierSms().envoyer("+33612345678", "Bonjour")
    [fichier] = (tmp_path / "sms").iterdir()
    assert fichier.read_text(encoding="utf-8") == "À : +33612345678\n\nBonjour\n"
