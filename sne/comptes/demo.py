"""The demo accounts that `make run` creates, so that a newcomer can log in at once.

Idempotent: running it again changes nothing but resetting the demo password.
The password is public (README): these accounts exist only in demo databases.
"""

from django.db import transaction

from .models import Utilisateur

MOT_DE_PASSE_DEMO = "demo-sne-2026"

COMPTES_DEMO = [
    {
        "email": "admin@demo.sne.example.fr",
        "prenom": "Camille",
        "nom": "Administratrice",
        "role": "Administratrice nationale (assistance nationale)",
        "is_staff": True,
        "is_superuser": True,
    },
]


@transaction.atomic
def creer_comptes_demo() -> list[dict]:
    crees = []
    for compte in COMPTES_DEMO:
        champs = {k: v for k, v in compte.items() if k not in ("email", "role")}
        utilisateur, _ = Utilisateur.objects.update_or_create(
            email=compte["email"], defaults=champs
        )
        utilisateur.set_password(MOT_DE_PASSE_DEMO)
        utilisateur.save(update_fields=["password"])
        crees.append(compte)
    return crees
