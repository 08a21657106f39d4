from django.apps import AppConfig


class AttributionsConfig(AppConfig):
    name = "sne.attributions"
    verbose_name = "Attributions (commissions d'attribution, logements, baux)"

    def ready(self):
        from sne.demandes import signaux
        from sne.demandes.onglets import Onglet, ajouter_onglet

        from .onglet import contexte_onglet

        ajouter_onglet(
            Onglet(
                code="attributions",
                libelle="Attributions",
                gabarit="attributions/_onglet_demande.html",
                contexte=contexte_onglet,
                apres="pieces",
            )
        )

        # The score follows the demande: registered, renewed, changed.
        for signal in (
            signaux.demande_enregistree,
            signaux.demande_renouvelee,
            signaux.demande_modifiee,
        ):
            signal.connect(_coter, dispatch_uid=f"cotation-{id(signal)}")


def _coter(sender, demande_id, **kwargs):
    from .tasks import coter_demande

    coter_demande(demande_id)
