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

        # The score and the candidates' order follow the demande: registered, renewed,
        # changed, separated, reactivated; struck off, it leaves them.
        for signal in (
            signaux.demande_enregistree,
            signaux.demande_renouvelee,
            signaux.demande_modifiee,
            signaux.demande_separee,
            signaux.demande_reactivee,
        ):
            signal.connect(_coter, dispatch_uid=f"cotation-{id(signal)}")
        signaux.demandes_radiees.connect(_retirer, dispatch_uid="cotation-radiees")


def _coter(sender, demande_id, **kwargs):
    from .tasks import coter_demande

    coter_demande(demande_id)


def _retirer(sender, demande_ids, **kwargs):
    from .tasks import retirer_des_listes

    retirer_des_listes(demande_ids)
