"""Duplicate search before a registration: an exact match on the folded nom, prénom and birth
date, nationally and whatever the desk's scope (DESIGN « Scopes and rights »). The
duplicate-detection issue replaces it with `sne/doublons/`."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from ..models import Demande, Personne, plier


@dataclass(frozen=True)
class Suspicion:
    numero_unique: str
    departement: str
    date_depot: date
    guichet: str
    score: int
    raisons: tuple[str, ...]

    def en_dict(self) -> dict:
        return {
            "numero_unique": self.numero_unique,
            "departement": self.departement,
            "date_depot": self.date_depot.isoformat(),
            "guichet": self.guichet,
            "score": self.score,
            "raisons": list(self.raisons),
        }


def rechercher_doublons(nom: str, prenom: str, date_naissance: date | None, *, exclure=None):
    """Active demandes, nationally and whatever the desk's scope, where the same person
    (nom, prénom, date de naissance) is demandeur or co-demandeur. Only the minimum to act is
    returned (DESIGN « Scopes and rights »): never the personal data."""
    if not date_naissance:
        return []
    nom_cle, prenom_cle = plier(nom), plier(prenom)
    personnes = (
        Personne.objects.filter(
            Q(nom_cle=nom_cle) | Q(nom_naissance_cle=nom_cle),
            prenom_cle=prenom_cle,
            date_naissance=date_naissance,
            role__in=[Personne.Role.DEMANDEUR, Personne.Role.CO_DEMANDEUR],
            demande__statut=Demande.Statut.ACTIVE,
        )
        .exclude(demande=exclure)
        .select_related("demande__guichet_enregistreur")
    )
    suspicions = {}
    for p in personnes:
        d = p.demande
        role = "demandeur" if p.role == Personne.Role.DEMANDEUR else "co-demandeur"
        suspicions[d.numero_unique] = Suspicion(
            d.numero_unique,
            d.departement_id,
            d.date_depot,
            d.guichet_enregistreur.code,
            100,
            ("mêmes nom, prénom et date de naissance", f"en tant que {role}"),
        )
    return list(suspicions.values())
