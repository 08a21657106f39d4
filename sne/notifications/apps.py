from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "sne.notifications"
    verbose_name = "Messages aux demandeurs"

    def ready(self):
        from sne.demandes.onglets import Onglet, ajouter_onglet

        from . import (
            tasks,  # noqa: F401 — connects the receivers of the demande's signals
            webhooks,  # noqa: F401 — records the e-mail provider's delivery events
        )
        from .vues_demande import contexte_onglet

        ajouter_onglet(
            Onglet(
                code="messages",
                libelle="Courriers et messages",
                gabarit="notifications/_onglet_demande.html",
                contexte=contexte_onglet,
            )
        )
