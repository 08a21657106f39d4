"""Writing to the audit log: one function, called by every service that reads or changes."""

from .models import EvenementAudit


def journaliser(
    action: str,
    *,
    utilisateur=None,
    guichet=None,
    objet=None,
    resume: str = "",
    details: dict | None = None,
    adresse_ip: str | None = None,
) -> EvenementAudit:
    """Record who did what. `objet` is any model instance (its type and primary key are kept).

    Never pass applicants' personal data in `resume` or `details`: identifiers and field
    names only. The entry is written in the caller's transaction: if the action is rolled
    back, so is its trace, and an action that happened always has one.
    """
    return EvenementAudit.objects.create(
        action=action,
        utilisateur=utilisateur if utilisateur and utilisateur.is_authenticated else None,
        guichet=guichet,
        objet_type=objet._meta.label_lower if objet is not None else "",
        objet_id=str(objet.pk) if objet is not None else "",
        resume=resume[:300],
        details=details or {},
        adresse_ip=adresse_ip,
    )


def journaliser_lecture(
    objets,
    *,
    utilisateur,
    guichet=None,
    resume: str,
    action: str = EvenementAudit.Action.CONSULTATION,
    adresse_ip: str | None = None,
) -> int:
    """Record that a page or a file showed these objects' personal data (a list of results, a
    print run): one entry per object, so that each one's journal tells who saw it, written in
    one query per page, never one per row. Returns the number of entries."""
    entrees = [
        EvenementAudit(
            action=action,
            utilisateur=utilisateur if utilisateur and utilisateur.is_authenticated else None,
            guichet=guichet,
            objet_type=objet._meta.label_lower,
            objet_id=str(objet.pk),
            resume=resume[:300],
            adresse_ip=adresse_ip,
        )
        for objet in objets
    ]
    EvenementAudit.objects.bulk_create(entrees)
    return len(entrees)


def adresse_ip(request) -> str | None:
    """The client's address (behind the proxy when SNE_HTTPS says there is one)."""
    transmise = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return (transmise.split(",")[0].strip() or request.META.get("REMOTE_ADDR")) or None
