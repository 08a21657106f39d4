"""Writing to the audit log: one function, called by every service that reads or changes;
and the client's address it records."""

import ipaddress

from django.conf import settings
from python_ipware import IpWare

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
    evenement = _evenement(action, utilisateur, guichet, objet, resume, details, adresse_ip)
    evenement.save()
    return evenement


def _evenement(action, utilisateur, guichet, objet, resume, details, adresse_ip) -> EvenementAudit:
    return EvenementAudit(
        action=action,
        utilisateur=utilisateur if utilisateur and utilisateur.is_authenticated else None,
        guichet=guichet,
        objet_type=objet._meta.label_lower if objet is not None else "",
        objet_id=str(objet.pk) if objet is not None else "",
        resume=resume[:300],
        details=details or {},
        adresse_ip=adresse_ip,
    )


def journaliser_plusieurs(
    action: str, objets, *, utilisateur=None, guichet=None, resume, details=None
) -> int:
    """`journaliser` for many objects changed the same way (a batch: the renewal campaign's
    radiations), one entry each, in one query. `resume`: a text, or a function of the object.
    Returns the number of entries."""
    entrees = [
        _evenement(
            action,
            utilisateur,
            guichet,
            objet,
            resume(objet) if callable(resume) else resume,
            details,
            None,
        )
        for objet in objets
    ]
    EvenementAudit.objects.bulk_create(entrees)
    return len(entrees)


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
        _evenement(action, utilisateur, guichet, objet, resume, None, adresse_ip)
        for objet in objets
    ]
    EvenementAudit.objects.bulk_create(entrees)
    return len(entrees)


# The proxies (SNE_PROXIES_DE_CONFIANCE) append, each, the address they received from to
# X-Forwarded-For. python-ipware parses the header (ports, brackets, IPv4-mapped IPv6, junk
# such as « unknown » skipped) and gives the address `sauts` hops left of its right end.
_MAX_PROXIES_EN_CHAINE = 5
_LECTEURS_X_FORWARDED_FOR = [
    IpWare(precedence=("HTTP_X_FORWARDED_FOR",), proxy_count=sauts)
    for sauts in range(_MAX_PROXIES_EN_CHAINE)
]


def _adresse_valide(valeur) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(str(valeur or "").strip())
    except ValueError:
        return None


def _de_confiance(adresse) -> bool:
    return any(
        adresse in ipaddress.ip_network(reseau, strict=False)
        for reseau in settings.SNE_PROXIES_DE_CONFIANCE
    )


def adresse_ip(request) -> str | None:
    """The client's address, as the audit log, the lockout (django-axes'
    `AXES_CLIENT_IP_CALLABLE`) and the rate limits count it: a valid IP address, or None.

    The direct peer (`REMOTE_ADDR`) is the client unless it is one of the trusted proxies
    (`SNE_PROXIES_DE_CONFIANCE`, empty by default); only then is `X-Forwarded-For` read, from
    its right end (written by the proxies) leftwards, skipping the trusted proxies: the first
    other address is the client's. What a client writes itself in the header is never taken
    for its address."""
    pair = _adresse_valide(request.META.get("REMOTE_ADDR"))
    if pair is None or not _de_confiance(pair):
        return str(pair) if pair is not None else None
    if not request.META.get("HTTP_X_FORWARDED_FOR"):
        return str(pair)
    for lecteur in _LECTEURS_X_FORWARDED_FOR:
        adresse, _ = lecteur.get_client_ip(request.META)
        if adresse is None:
            return None  # the header holds nothing but trusted proxies or junk
        if not _de_confiance(adresse):
            return str(adresse)
    return None
