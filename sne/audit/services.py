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


def adresse_ip(request) -> str | None:
    """The client's address (behind the proxy when SNE_HTTPS says there is one)."""
    transmise = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return (transmise.split(",")[0].strip() or request.META.get("REMOTE_ADDR")) or None
