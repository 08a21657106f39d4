"""The demande page: its tabs (demandeur, ménage, ressources, souhaits, historique, and those
of the apps above: pièces, messages) and the actions the person may take on it. Every opening
is written to the audit log."""

import re
from datetime import date

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from sne.comptes.decorateurs import habilite_requis
from sne.comptes.droits import guichet_agissant, guichet_de_consultation
from sne.referentiels.telephones import telephone_lisible

from .. import nomenclatures as n
from .. import services
from ..forms.champs import libelle_commune
from ..models import Demande, Personne
from ..onglets import ONGLETS_SUPPLEMENTAIRES, ranger_onglets
from .commun import demande_complete

ONGLETS = [
    ("demandeur", "Demandeur"),
    ("menage", "Ménage"),
    ("ressources", "Ressources"),
    ("souhaits", "Souhaits"),
    ("historique", "Historique"),
]


ROLES = dict(Personne.Role.choices)
# « Personne à charge ajoutée », « Co-demandeur retiré »: the participle agrees with the role.
OPERATIONS = {
    ("co_demandeur", "ajout"): "Co-demandeur ajouté",
    ("co_demandeur", "retrait"): "Co-demandeur retiré",
    ("personne_a_charge", "ajout"): "Personne à charge ajoutée",
    ("personne_a_charge", "retrait"): "Personne à charge retirée",
}
CHAMPS_COMMUNE = {"commune", "employeur_commune", "association_commune"}
# Fields whose model name does not read well in the history (« employeur commune »).
LIBELLES = {
    "employeur_commune": "commune de l'employeur",
    "association": "association de la table du département",
    "association_commune": "commune de l'association",
    "statut_dalo": "droit au logement opposable (DALO)",
}
IDENTIFIANT = re.compile(r"^\d+$")


def _libelle_champ(champ: str, personne: str = "") -> str:
    if champ == "souhaits.communes":
        return "Communes souhaitées"
    if champ in ROLES:
        return str(ROLES[champ])
    if "." in champ:
        role, nom = champ.split(".", 1)
        libelle_role = str(ROLES.get(role, role))
        if personne:
            libelle_role += f" {personne}"
        champ_modele = _champ_modele(Personne, nom)
        libelle = LIBELLES.get(nom) or (champ_modele.verbose_name if champ_modele else nom)
        return f"{libelle_role} — {libelle}"
    champ_modele = _champ_modele(Demande, champ)
    libelle = LIBELLES.get(champ) or (champ_modele.verbose_name if champ_modele else champ)
    return str(libelle)[:1].upper() + str(libelle)[1:]


def _champ_modele(modele, nom: str):
    try:
        return modele._meta.get_field(nom)
    except FieldDoesNotExist:
        return None


def _date(valeur: str) -> str:
    try:
        return date.fromisoformat(valeur).strftime("%d/%m/%Y")
    except ValueError:  # never written so, but an old entry must not break the page
        return valeur


def _personne_lisible(portrait: dict) -> str:
    """« Léa MARTIN (née le 03/10/2026, enfant) »: a person who joined or left, in words."""
    texte = f"{portrait.get('prenom', '')} {(portrait.get('nom') or '').upper()}".strip()
    precisions = []
    if portrait.get("date_naissance"):
        accord = {n.Civilite.MONSIEUR: "né", n.Civilite.MADAME: "née"}
        ne = accord.get(portrait.get("civilite"), "né(e)")
        precisions.append(f"{ne} le {_date(portrait['date_naissance'])}")
    lien = dict([*n.LienCoDemandeur.choices, *n.LienParente.choices]).get(portrait.get("lien"))
    if lien:
        precisions.append(str(lien).lower())
    return texte + (f" ({', '.join(precisions)})" if precisions else "")


def _valeur_historique(champ: str, valeur, personnes: dict) -> str:
    if valeur in (None, "", []):
        return "—"
    if isinstance(valeur, bool):
        return "oui" if valeur else "non"
    if isinstance(valeur, dict):
        return _personne_lisible(valeur)
    if champ in ROLES and isinstance(valeur, str) and IDENTIFIANT.match(valeur):
        # Entries written before issue 9 kept the person's id: show their name instead.
        return personnes.get(int(valeur), "une personne qui n'est plus enregistrée")
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
        return _date(valeur)
    if nom in CHAMPS_COMMUNE and isinstance(valeur, str):
        return libelle_commune(valeur)
    if nom == "telephone" and isinstance(valeur, str):
        return telephone_lisible(valeur)
    return str(choix.get(valeur, valeur))


def _texte_changement(c: dict, personnes: dict) -> dict:
    champ = c.get("champ", "")
    operation = OPERATIONS.get((champ, c.get("operation")))
    if operation:
        portrait = c.get("apres") if c.get("operation") == "ajout" else c.get("avant")
        return {"texte": f"{operation} : {_valeur_historique(champ, portrait, personnes)}"}
    libelle = _libelle_champ(champ, c.get("personne", ""))
    avant = _valeur_historique(champ, c.get("avant"), personnes)
    apres = _valeur_historique(champ, c.get("apres"), personnes)
    return {
        "libelle": libelle,
        "avant": avant,
        "apres": apres,
        "texte": f"{libelle} : {avant} → {apres}",
    }


def _personnes_citees(entrees) -> dict[int, str]:
    """The names of the people that old entries name by id (one query for the page)."""
    ids = {
        int(v)
        for h in entrees
        for c in (h.changements or [])
        if c.get("champ") in ROLES
        for v in (c.get("avant"), c.get("apres"))
        if isinstance(v, str) and IDENTIFIANT.match(v) and len(v) < 10
    }
    if not ids:
        return {}
    return {p.pk: f"{p.prenom} {p.nom.upper()}" for p in Personne.objects.filter(pk__in=ids)}


def lignes_historique(entrees) -> list[dict]:
    """History entries as a person reads them: who, and each change old → new in words (codes
    by their label, dates dd/mm/yyyy, communes by name, people by name — never an id)."""
    entrees = list(entrees)
    personnes = _personnes_citees(entrees)
    lignes = []
    for h in entrees:
        if h.utilisateur:
            qui = h.utilisateur.nom_complet or h.utilisateur.email
        elif h.guichet and h.guichet.code == settings.SNE_GUICHET_PORTAIL:
            qui = "Le demandeur, en ligne (portail grand public)"
        else:
            qui = "Système (traitement automatique ou système connecté)"
        lignes.append(
            {
                "entree": h,
                "qui": qui,
                "changements": [
                    _texte_changement(c, personnes)
                    for c in (h.changements or [])
                    if isinstance(c, dict)
                ],
            }
        )
    return lignes


def cle_separation_proposee(numero: str) -> str:
    """The session's one-shot flag set by the modification page: after a change that makes a
    separation possible, the demande page offers it at the top (FAQ: the offer hid in a tab)."""
    return f"separation_proposee:{numero}"


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
    onglets = ranger_onglets(ONGLETS)
    onglet = request.GET.get("onglet", "demandeur")
    if onglet not in dict(onglets):
        onglet = "demandeur"
    supplementaires = [
        {"code": o.code, "gabarit": o.gabarit, **o.contexte(request, d)}
        for o in ONGLETS_SUPPLEMENTAIRES
    ]
    aujourd_hui = timezone.localdate()
    demandeur = d.demandeur
    separation_proposee = bool(
        request.session.pop(cle_separation_proposee(d.numero_unique), False)
        and actions["peut_agir"]
        and d.est_active
        and d.co_demandeur
    )
    return render(
        request,
        "demandes/demande.html",
        {
            "title": f"Demande {d.numero_unique}",
            "d": d,
            "demandeur": demandeur,
            "co": d.co_demandeur,
            "a_charge": d.personnes_a_charge,
            "onglets": onglets,
            "onglets_supplementaires": supplementaires,
            "onglet": onglet,
            "historique": lignes_historique(d.historique.all()),
            "aujourd_hui": aujourd_hui,
            "association": _association_beneficiaire(d),
            "separation_proposee": separation_proposee,
            "motifs": [dict(n.MotifDemande.choices).get(m, m) for m in d.motifs],
            "typologies": [dict(n.Typologie.choices).get(t, t) for t in d.typologies],
            **actions,
        },
    )
