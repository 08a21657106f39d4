"""Forced creations: a demande registered (or an identity changed) past a suspicion of
duplicate, with the agent's written justification (issue 11: « forced creations are listed
for the gestionnaire with both demandes side by side »). Written by the registration and
modification services in their own transaction; each suspected demande becomes a
`PaireDoublon` for the gestionnaire to decide."""

from django.utils import timezone

from .models import CreationForcee, PaireDoublon


def enregistrer_forcage(
    demande, suspicions, justification: str, *, agent, guichet, operation: str
) -> CreationForcee:
    """Record that `demande` went past `suspicions` (`services.Suspicion`) with
    `justification`. Call it in the transaction that writes the demande."""
    forcage = CreationForcee.objects.create(
        demande=demande,
        operation=operation,
        departement_id=demande.departement_id,
        guichet=guichet,
        agent=agent,
        justification=justification.strip(),
        suspicions=[s.en_dict() for s in suspicions],
    )
    paires = []
    for s in suspicions:
        a, b = PaireDoublon.ordonner(demande.pk, s.demande_id)
        paire, _ = PaireDoublon.objects.get_or_create(
            demande_a_id=a,
            demande_b_id=b,
            defaults={
                "departement_id": demande.departement_id,
                "score": s.score,
                "raisons": list(s.raisons),
            },
        )
        paires.append(paire)
    forcage.paires.add(*paires)
    return forcage


def actualiser_examen(paire: PaireDoublon) -> None:
    """After a decision on `paire`: each forced creation it belongs to whose pairs are all
    decided is « examinée »."""
    for forcage in paire.creations_forcees.filter(examinee_le=None):
        if not forcage.paires.filter(statut=PaireDoublon.Statut.A_EXAMINER).exists():
            forcage.examinee_le = timezone.now()
            forcage.save(update_fields=["examinee_le"])
