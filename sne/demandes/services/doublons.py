"""Duplicate search before a registration or an identity change: the engine of `sne.doublons`
(keys, candidates, scoring, reasons — ADR 0015), for the people of a demande or what a desk
typed; nationally and whatever the desk's scope (DESIGN « Scopes and rights »). Only the
minimum to act is returned: never the other demande's personal data."""

from datetime import date

from sne.doublons.services import Identite, Suspicion, identite_de, rechercher, verrouiller

__all__ = ["Identite", "Suspicion", "doublons_des_personnes", "rechercher_doublons"]


def rechercher_doublons(
    nom: str, prenom: str, date_naissance: date | None, *, exclure=None, **identite
) -> list[Suspicion]:
    """The suspicions for what a desk typed (`identite`: nom_naissance, nir,
    piece_identite_numero, email, telephone, civilite when known)."""
    return rechercher(
        Identite(nom=nom, prenom=prenom, date_naissance=date_naissance, **identite),
        exclure=exclure,
    )


def doublons_des_personnes(*personnes, exclure=None) -> list[Suspicion]:
    """The suspicions for the demandeur and co-demandeur about to be written (unsaved
    `Personne`s), one per other demande, best first. Takes the lock that makes concurrent
    registrations of the same person one decision (held until the commit)."""
    identites = [identite_de(p) for p in personnes if p is not None]
    verrouiller(*identites)
    meilleures: dict[str, Suspicion] = {}
    for identite in identites:
        for s in rechercher(identite, exclure=exclure):
            if s.numero_unique not in meilleures or meilleures[s.numero_unique].score < s.score:
                meilleures[s.numero_unique] = s
    return sorted(meilleures.values(), key=lambda s: (-s.score, s.numero_unique))
