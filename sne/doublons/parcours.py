"""The walk of a stock audit (`AuditDoublons`): the active index rows of the département, in
chunks, each searched with the engine (`services.rechercher_empreinte`). Each chunk is one
transaction that writes its pairs and the audit's progress together, so that a worker killed
in the middle of a chunk loses only that chunk, and the next run starts from the first row
not done (`curseur`): no pair is written twice (one row per pair, `paire_unique`)."""

from django.db import transaction
from django.utils import timezone

from .models import AuditDoublons, EmpreinteIdentite, PaireDoublon
from .services import ecartees_de, rechercher_empreinte

TAILLE_LOT = 200


def avancer_audit(audit_id: int, taille_lot: int = TAILLE_LOT) -> bool:
    """Search one chunk of the audit; True when the audit is finished. Two workers on the
    same audit wait for each other on its row and never search the same chunk twice."""
    with transaction.atomic():
        audit = AuditDoublons.objects.select_for_update().get(pk=audit_id)
        if audit.termine:
            return True
        lignes = list(
            EmpreinteIdentite.objects.filter(
                departement=audit.departement_id, actif=True, pk__gt=audit.curseur
            ).order_by("pk")[:taille_lot]
        )
        maintenant = timezone.now()
        if not lignes:
            audit.statut = AuditDoublons.Statut.TERMINE
            audit.total = max(audit.total, audit.traites)
            audit.termine_le = audit.avance_le = maintenant
            audit.save()
            return True
        trouvees = _paires_du_lot(audit, lignes)
        audit.paires.add(*_ecrire(audit, trouvees))
        audit.curseur = lignes[-1].pk
        audit.traites += len(lignes)
        audit.statut = AuditDoublons.Statut.EN_COURS
        audit.avance_le = maintenant
        audit.save()
    return False


def parcourir(audit_id: int, taille_lot: int = TAILLE_LOT) -> None:
    while not avancer_audit(audit_id, taille_lot):
        pass


def _paires_du_lot(audit, lignes) -> dict[tuple[int, int], tuple[int, list[str]]]:
    """The best suspicion of each pair of demandes of this département seen from these rows."""
    ecartees = ecartees_de({ligne.demande_id for ligne in lignes})
    trouvees: dict[tuple[int, int], tuple[int, list[str]]] = {}
    for ligne in lignes:
        for s in rechercher_empreinte(ligne, ecartees.get(ligne.demande_id, frozenset())):
            # A duplicate in another département is that département's gestionnaire's to see
            # (and, outside Île-de-France, a demande per département is allowed).
            if s.departement != audit.departement_id:
                continue
            cle = PaireDoublon.ordonner(ligne.demande_id, s.demande_id)
            if cle not in trouvees or trouvees[cle][0] < s.score:
                trouvees[cle] = (s.score, list(s.raisons))
    return trouvees


def _ecrire(audit, trouvees) -> list[PaireDoublon]:
    """The pairs of the chunk: new ones created, those already « à examiner » kept (with the
    better score), those already decided left alone (« personnes différentes » is never
    proposed again)."""
    if not trouvees:
        return []
    existantes = {
        (p.demande_a_id, p.demande_b_id): p
        for p in PaireDoublon.objects.filter(
            demande_a__in={a for a, _ in trouvees}, demande_b__in={b for _, b in trouvees}
        )
    }
    paires = []
    for (a, b), (score, raisons) in sorted(trouvees.items()):
        paire = existantes.get((a, b))
        if paire is None:
            paire = PaireDoublon.objects.create(
                demande_a_id=a,
                demande_b_id=b,
                departement_id=audit.departement_id,
                score=score,
                raisons=raisons,
            )
        elif paire.decidee:
            continue
        elif score > paire.score:
            paire.score, paire.raisons = score, raisons
            paire.save(update_fields=["score", "raisons"])
        paires.append(paire)
    return paires
