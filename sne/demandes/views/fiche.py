"""The demande page: its tabs (demandeur, ménage, ressources, souhaits, pièces, historique) and
the actions the person may take on it. Every opening is written to the audit log."""

import re
from datetime import date

from django.core.exceptions import FieldDoesNotExist
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from sne.comptes.decorateurs import habilite_requis
from sne.comptes.droits import guichet_agissant, guichet_de_consultation

from .. import nomenclatures as n
from .. import services
from ..forms.champs import libelle_commune
from ..models import Demande, Personne
from .commun import demande_complete

ONGLETS = [
    ("demandeur", "Demandeur"),
    ("menage", "Ménage"),
    ("ressources", "Ressources"),
    ("souhaits", "Souhaits"),
    ("pieces", "Pièces"),
    ("historique", "Historique"),
]


def _libelle_champ(champ: str) -> str:
    if champ == "souhaits.communes":
        return "Communes souhaitées"
    if champ == "co_demandeur":
        return "Co-demandeur"
    if "." in champ:
        role, nom = champ.split(".", 1)
        libelle_role = dict(Personne.Role.choices).get(role, role)
        champ_modele = _champ_modele(Personne, nom)
        return f"{libelle_role} — {champ_modele.verbose_name if champ_modele else nom}"
    champ_modele = _champ_modele(Demande, champ)
    return str(champ_modele.verbose_name).capitalize() if champ_modele else champ


def _champ_modele(modele, nom: str):
    try:
        return modele._meta.get_field(nom)
    except FieldDoesNotExist:
        return None


def _valeur_historique(champ: str, valeur) -> str:
    if valeur in (None, "", []):
        return "—"
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    modele, nom = (Personne, champ.split(".", 1)[1]) if "." in champ else (Demande, champ)
    champ_modele = _champ_modele(modele, nom)
    choix = dict(getattr(champ_modele, "choices", None) or [])
    if champ == "souhaits.communes" and isinstance(valeur, list):
        return ", ".join(libelle_commune(c) for c in valeur)
    if champ in ("motifs", "typologies") and isinstance(valeur, list):
        lib = dict(n.MotifDemande.choices if champ == "motifs" else n.Typologie.choices)
        return ", ".join(str(lib.get(v, v)) for v in valeur)
    if isinstance(valeur, list):
        return ", ".join(str(v) for v in valeur)
    if isinstance(valeur, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", valeur):
        return date.fromisoformat(valeur).strftime("%d/%m/%Y")
    if nom == "commune" and isinstance(valeur, str):
        return libelle_commune(valeur)
    return str(choix.get(valeur, valeur))


def lignes_historique(entrees) -> list[dict]:
    """History entries as a person reads them: who, and each change old → new in words."""
    lignes = []
    for h in entrees:
        lignes.append(
            {
                "entree": h,
                "qui": (h.utilisateur.nom_complet or h.utilisateur.email)
                if h.utilisateur
                else "Système (traitement automatique ou système connecté)",
                "changements": [
                    {
                        "libelle": _libelle_champ(c.get("champ", "")),
                        "avant": _valeur_historique(c.get("champ", ""), c.get("avant")),
                        "apres": _valeur_historique(c.get("champ", ""), c.get("apres")),
                    }
                    for c in (h.changements or [])
                ],
            }
        )
    return lignes


def _actions(request, demande: Demande) -> dict:
    guichet = guichet_agissant(request.user, demande)
    fin = services.fin_fenetre_reactivation(demande)
    return {
        "guichet_action": guichet,
        "peut_agir": guichet is not None,
        "peut_modifier": guichet is not None and demande.est_active,
        "peut_reactiver": guichet is not None and services.reactivable(demande),
        "fin_reactivation": fin,
        "peut_dupliquer": guichet is not None and services.peut_dupliquer_pour_separation(demande),
    }


def _association_beneficiaire(d: Demande) -> dict | None:
    """The association a demande is for: from the département's table, or as typed (FAQ)."""
    if d.beneficiaire != Demande.Beneficiaire.ASSOCIATION:
        return None
    table = d.association
    return {
        "nom": table.nom if table else d.association_nom,
        "date_creation": d.association_date_creation or (table.date_creation if table else None),
        "siren": table.siren if table else "",
        "de_la_table": table is not None,
        "adresse": table.adresse
        if table
        else " ".join(
            p
            for p in (
                d.association_adresse,
                d.association_code_postal,
                d.association_commune.nom if d.association_commune else "",
            )
            if p
        ),
    }


@require_GET
@habilite_requis
def demande(request, numero):
    trouvee = services.trouver_demande(numero, request.user)
    if trouvee.numero_unique != numero:
        return redirect("demandes:demande", numero=trouvee.numero_unique)
    d = demande_complete(trouvee.pk)
    actions = _actions(request, d)
    services.consulter(
        d, request.user, actions["guichet_action"] or guichet_de_consultation(request.user, d)
    )
    onglet = request.GET.get("onglet", "demandeur")
    if onglet not in dict(ONGLETS):
        onglet = "demandeur"
    aujourd_hui = timezone.localdate()
    demandeur = d.demandeur
    return render(
        request,
        "demandes/demande.html",
        {
            "title": f"Demande {d.numero_unique}",
            "d": d,
            "demandeur": demandeur,
            "co": d.co_demandeur,
            "a_charge": d.personnes_a_charge,
            "onglets": ONGLETS,
            "onglet": onglet,
            "historique": lignes_historique(d.historique.all()),
            "aujourd_hui": aujourd_hui,
            "piece_perimee": bool(
                demandeur
                and demandeur.piece_identite_expiration
                and demandeur.piece_identite_expiration < aujourd_hui
            ),
            "association": _association_beneficiaire(d),
            "motifs": [dict(n.MotifDemande.choices).get(m, m) for m in d.motifs],
            "typologies": [dict(n.Typologie.choices).get(t, t) for t in d.typologies],
            **actions,
        },
    )
