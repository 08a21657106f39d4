"""The « Attributions » tab of the demande page: the demande's whole journey from its CAL
passages to the lease (each session, the dwelling, the rank, the decision and its motif, the
applicant's refusal, the lease), read with the page (whose opening is already audited)."""

from . import services
from .cotation import en_clair
from .services_cotation import cotation_actuelle


def contexte_onglet(request, demande) -> dict:
    passages = list(services.parcours(demande))
    cotation = cotation_actuelle(demande)
    return {
        "cotation": cotation,
        "cotation_en_clair": en_clair(cotation.detail) if cotation else "",
        "passages": [
            {
                "candidature": c,
                "motif": services.libelle_du_motif(c) if c.motif else "",
                "points": en_clair(c.detail_points) if c.grille_id else "",
            }
            for c in passages
        ],
        "refus": sum(1 for c in passages if c.refusee_le),
    }
