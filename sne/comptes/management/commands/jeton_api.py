"""`python manage.py jeton_api 75BA1 [--libelle "Logiciel X"]`: create an API token for a desk.

Prints the token alone on standard output (`JETON=$(python manage.py jeton_api 75BA1)`);
every message goes to standard error. The token is shown this once: only its hash is kept.
"""

from django.core.management.base import BaseCommand, CommandError

from sne.comptes.jetons import creer_jeton
from sne.comptes.models import JetonApi
from sne.exceptions import ErreurMetier

# organisations is above comptes (ADR 0007): the desk's model is reached through the token's.
Guichet = JetonApi.guichet.field.related_model


class Command(BaseCommand):
    help = "Crée un jeton d'API pour un guichet et l'affiche seul sur la sortie standard."

    def add_arguments(self, parser):
        parser.add_argument("code_guichet", help="Code du guichet, par exemple 75BA1")
        parser.add_argument(
            "--libelle",
            default="Jeton créé en ligne de commande",
            help="Le système qui s'en servira (affiché au gestionnaire)",
        )

    def handle(self, *args, code_guichet, libelle, **options):
        code = code_guichet.strip().upper()
        guichet = Guichet.objects.filter(code=code).first()
        if guichet is None:
            raise CommandError(
                f"Guichet inconnu : {code_guichet!r}. Donnez le code à 5 caractères d'un "
                "guichet existant (par exemple 75BA1)."
            )
        try:
            jeton, en_clair = creer_jeton(guichet, par=None, libelle=libelle)
        except ErreurMetier as e:
            raise CommandError(e.message) from e
        self.stderr.write(
            f"Jeton {jeton.prefixe}… créé pour le guichet {guichet} : copiez-le maintenant, "
            "il ne sera plus affiché (seule son empreinte est conservée)."
        )
        self.stdout.write(en_clair)
