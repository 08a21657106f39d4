"""The modification of a demande by an agent, on one page with the wizard's sections: the
association it is made for (if so), the demandeur's identity, contact and situation, the DALO
status, the co-demandeur (added, changed or removed, with identity document and address), the
personnes à charge (a line added or removed, without JavaScript), resources, current housing
and wishes — through `modifier_demande` (history kept, duplicate search again when an identity
changes, no attestation — FAQ). The numéro unique and the date de dépôt are shown, never
editable; the household size is derived from the people."""

from datetime import date

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from sne.comptes.decorateurs import habilite_requis
from sne.exceptions import ErreurMetier
from sne.formulaires import erreur_sur_formulaire, resume_erreurs
from sne.referentiels.models import Commune

from .. import services
from ..forms.assistant import MAX_PERSONNES_A_CHARGE
from ..forms.modification import (
    AssociationModificationForm,
    CoDemandeurForm,
    ModificationForm,
    formset_personnes_a_charge,
)
from ..forms.sections import COMMUNES_AFFICHEES
from ..models import Demande
from ..regles import (
    LIMITE_COMMUNES_SOUHAITEES,
    MESSAGE_SUSPICION_DOUBLON,
    ModificationConcurrente,
    exiger_modifiable,
)
from .commun import demande_complete, entier, pour_agir, sans_erreurs, vers_demande
from .entree import localiser_erreur
from .fiche import cle_separation_proposee, lignes_historique

CHAMPS_DEMANDEUR = (
    "civilite",
    "nom",
    "nom_naissance",
    "prenom",
    "date_naissance",
    "nationalite",
    "email",
    "telephone",
    "adresse_ligne1",
    "adresse_ligne2",
    "code_postal",
    "situation_familiale",
    "situation_professionnelle",
    "employeur",
    "employeur_adresse",
    "employeur_code_postal",
    "revenus_mensuels",
    "piece_identite_type",
    "piece_identite_numero",
    "piece_identite_expiration",
)
CHAMPS_CO_DEMANDEUR = (
    "civilite",
    "nom",
    "nom_naissance",
    "prenom",
    "date_naissance",
    "lien",
    "nationalite",
    "situation_professionnelle",
    "revenus_mensuels",
    "email",
    "telephone",
    "piece_identite_type",
    "piece_identite_numero",
    "piece_identite_expiration",
    "adresse_ligne1",
    "adresse_ligne2",
    "code_postal",
    "employeur",
    "employeur_adresse",
    "employeur_code_postal",
)
# A new co-demandeur is given to the service as the registration's entry (`PersonneEntree`):
# these fields go as they are; the identity document and the address are nested.
CHAMPS_ENTREE_CO_DEMANDEUR = (
    "civilite",
    "nom",
    "nom_naissance",
    "prenom",
    "date_naissance",
    "lien",
    "nationalite",
    "situation_professionnelle",
    "revenus_mensuels",
    "email",
    "telephone",
    "employeur",
)
CHAMPS_A_CHARGE = ("nom", "prenom", "date_naissance", "lien")
# Empty, these are None in the database; the others are "".
CHAMPS_NULS = {"revenus_mensuels", "piece_identite_expiration", "date_naissance"}
CHAMPS_DEMANDE = (
    "logement_actuel",
    "loyer_actuel",
    "nombre_pieces_actuel",
    "bailleur_actuel",
    "revenu_fiscal_reference",
    "annee_revenus",
    "motifs",
    "motif_precision",
    "typologies",
    "categorie_logement",
    "ascenseur_necessaire",
    "rez_de_chaussee",
    "logement_adapte_handicap",
    "precisions_handicap",
    "statut_dalo",
    "courrier_postal_souhaite",
)


def _vide(champ: str):
    return None if champ in CHAMPS_NULS else ""


def _initiaux(d: Demande) -> dict:
    """What the page shows first: the demande as it is."""
    demandeur, co = d.demandeur, d.co_demandeur
    initial = {c: getattr(d, c) for c in CHAMPS_DEMANDE}
    initial["deja_locataire_hlm"] = "oui" if d.deja_locataire_hlm else "non"
    if demandeur:
        initial.update({c: getattr(demandeur, c) for c in CHAMPS_DEMANDEUR})
        initial["commune"] = demandeur.commune_id or ""
        initial["employeur_commune"] = demandeur.employeur_commune_id or ""
    communes = [c.commune_id for c in d.communes_souhaitees.all()]
    for i, code in enumerate(communes, 1):
        initial[f"commune_{i}"] = code
    initial["version"] = d.version
    initial_co = {}
    if co:
        initial_co = {f"co_{c}": getattr(co, c) for c in CHAMPS_CO_DEMANDEUR}
        initial_co["co_commune"] = co.commune_id or ""
        initial_co["co_employeur_commune"] = co.employeur_commune_id or ""
    return {
        "form": initial,
        "co": initial_co,
        "association": _initiaux_association(d),
        "personnes": [
            {"id": p.pk, **{c: getattr(p, c) for c in CHAMPS_A_CHARGE}}
            for p in d.personnes_a_charge
        ],
        "nb_communes": max(len(communes) + 1, COMMUNES_AFFICHEES),
    }


def _initiaux_association(d: Demande) -> dict | None:
    """The association as the wizard's step shows it: picked from the département's table, or
    typed (name, creation date, address). None for a household's demande."""
    if d.beneficiaire != Demande.Beneficiaire.ASSOCIATION:
        return None
    if d.association_id:
        return {"association_recherche": [str(d.association_id), d.association.nom]}
    return {
        "association_nom": d.association_nom,
        "association_date_creation": d.association_date_creation,
        "association_adresse_ligne1": d.association_adresse,
        "association_commune": d.association_commune_id or "",
    }


def _formulaires(d: Demande, data, initiaux: dict, nb_communes: int) -> dict:
    formulaires = {
        "form": ModificationForm(
            data,
            initial=initiaux["form"],
            departement=d.departement_id,
            nb_communes=nb_communes,
            association=d.beneficiaire == Demande.Beneficiaire.ASSOCIATION,
        ),
        "co_form": CoDemandeurForm(data, initial=initiaux["co"]),
        "personnes": formset_personnes_a_charge(
            data, initiaux["personnes"], lignes_en_plus=0 if initiaux["personnes"] else 1
        ),
    }
    if initiaux["association"] is not None:
        # The wizard's own step: the same search in the table, the same free fields and rules.
        formulaires["association"] = AssociationModificationForm(
            data,
            initial=initiaux["association"],
            departement=d.departement_id,
            actuelle=d.association,
        )
    return formulaires


def _lignes_de_personnes(data) -> int:
    try:
        return max(0, min(int(data.get("personnes-TOTAL_FORMS")), MAX_PERSONNES_A_CHARGE))
    except (TypeError, ValueError):
        return 0


@require_http_methods(["GET", "POST"])
@habilite_requis
def modifier(request, numero):
    trouvee, guichet = pour_agir(request, numero)
    d = demande_complete(trouvee.pk)
    try:
        exiger_modifiable(d)
    except ErreurMetier as e:
        messages.error(request, e.message)
        return redirect(vers_demande(d.numero_unique))
    initiaux = _initiaux(d)
    nb_communes = initiaux["nb_communes"]
    action = request.POST.get("action", "enregistrer")
    data = None
    if request.method == "POST":
        data = request.POST.copy()
        nb_communes = entier(data.get("nb_communes"), nb_communes, LIMITE_COMMUNES_SOUHAITEES)
        if action == "ajouter_commune":
            nb_communes += 1
        if action == "ajouter_personne":
            data["personnes-TOTAL_FORMS"] = str(
                min(_lignes_de_personnes(data) + 1, MAX_PERSONNES_A_CHARGE)
            )
    nb_communes = max(1, min(nb_communes, LIMITE_COMMUNES_SOUHAITEES))
    formulaires = _formulaires(d, data, initiaux, nb_communes)
    changements_concurrents, suspicions = [], []
    if data is not None and action in ("ajouter_commune", "ajouter_personne"):
        # The person has not asked to save yet: the page comes back with one more line.
        sans_erreurs(formulaires)
        if action == "ajouter_commune":
            form = formulaires["form"]
            form.fields[form.noms_communes[-1]].widget.attrs["autofocus"] = True
        elif formulaires["personnes"].forms:
            formulaires["personnes"].forms[-1].fields["nom"].widget.attrs["autofocus"] = True
    elif data is not None and all([f.is_valid() for f in formulaires.values()]):
        try:
            resultat = _enregistrer_modification(request, d, guichet, formulaires)
        except ModificationConcurrente as e:
            # What the agent typed is kept, on the current version; what changed is shown.
            d = demande_complete(d.pk)
            data["version"] = str(d.version)
            formulaires = _formulaires(d, data, _initiaux(d), nb_communes)
            for f in formulaires.values():
                f.is_valid()
            formulaires["form"].add_error(None, e.message)
            changements_concurrents = lignes_historique(
                d.historique.filter(pk__in=e.details["historique"]).order_by("horodatage", "pk")
            )
            services.consulter(d, request.user, guichet)  # the page shows the current demande
        else:
            if isinstance(resultat, list):
                suspicions = resultat
            elif resultat:
                return redirect(vers_demande(d.numero_unique))
    elif data is None:
        services.consulter(d, request.user, guichet)
    return render(
        request,
        "demandes/modifier.html",
        {
            "title": f"Modifier la demande {d.numero_unique}",
            "d": d,
            **formulaires,
            "nb_communes": nb_communes,
            "nb_communes_max": LIMITE_COMMUNES_SOUHAITEES,
            "nb_personnes_max": MAX_PERSONNES_A_CHARGE,
            "peut_dupliquer": services.peut_dupliquer_pour_separation(d),
            "resume_erreurs": resume_erreurs(*formulaires.values()),
            "changements_concurrents": changements_concurrents,
            "suspicions": suspicions,
        },
    )


def _suspicions_lisibles(request, erreur) -> list[dict]:
    """The duplicate suspicions as the wizard shows them: each says whether this person may
    open the demande suspected."""
    suspicions = {s["numero_unique"]: dict(s) for s in erreur.details.get("doublons", [])}
    visibles = set(
        Demande.objects.visibles_par(request.user)
        .filter(numero_unique__in=suspicions)
        .values_list("numero_unique", flat=True)
    )
    for numero, s in suspicions.items():
        s["visible"] = numero in visibles
        s["date_depot"] = date.fromisoformat(s["date_depot"])
    return list(suspicions.values())


def _enregistrer_modification(request, d: Demande, guichet, formulaires) -> bool | list:
    """Call `modifier_demande` with the page's values. True when saved; the suspicions of
    duplicate (a list) when the agent must justify; False when refused (errors on the fields).
    A change made meanwhile (`ModificationConcurrente`) goes up to the page."""
    form, co_form, lignes = formulaires["form"], formulaires["co_form"], formulaires["personnes"]
    donnees = form.cleaned_data
    valeurs_demande = {c: donnees[c] for c in CHAMPS_DEMANDE}
    valeurs_demande["deja_locataire_hlm"] = donnees["deja_locataire_hlm"] == "oui"
    for champ in ("logement_actuel", "categorie_logement"):
        valeurs_demande[champ] = valeurs_demande[champ] or ""
    for champ in ("bailleur_actuel", "motif_precision", "precisions_handicap"):
        valeurs_demande[champ] = valeurs_demande[champ] or ""

    personnes, ajouts, retraits = {}, [], []
    cibles = {}  # person's pk → (form, prefix of its fields), to put a refusal on its field
    cibles_ajouts = []  # same, by index of `ajouts`
    demandeur = d.demandeur
    if demandeur:
        valeurs = {
            c: _vide(c) if donnees[c] in (None, "") else donnees[c] for c in CHAMPS_DEMANDEUR
        }
        valeurs["commune"] = _commune(donnees["commune"])
        valeurs["employeur_commune"] = _commune(donnees["employeur_commune"])
        if donnees["nir"]:
            valeurs["nir"] = donnees["nir"]  # masked: left empty, the NIR recorded is kept
        personnes[demandeur.pk] = valeurs
        cibles[demandeur.pk] = (form, "")

    co, c = d.co_demandeur, co_form.cleaned_data
    valeurs_co = {
        champ: _vide(champ) if c[f"co_{champ}"] in (None, "") else c[f"co_{champ}"]
        for champ in CHAMPS_CO_DEMANDEUR
    }
    valeurs_co["commune"] = _commune(c["co_commune"])
    valeurs_co["employeur_commune"] = _commune(c["co_employeur_commune"])
    if c["co_nir"]:
        valeurs_co["nir"] = c["co_nir"]
    if co and donnees["retirer_co_demandeur"]:
        retraits.append(co.pk)
    elif co and not co_form.a_co_demandeur:
        co_form.add_error(
            "co_nom",
            "Le nom du co-demandeur est nécessaire. Pour le retirer de la demande, cochez "
            "« Retirer le co-demandeur de la demande ».",
        )
        return False
    elif co:
        personnes[co.pk] = valeurs_co
        cibles[co.pk] = (co_form, "co_")
    elif co_form.a_co_demandeur:
        ajouts.append({"role": "co_demandeur", **_entree_co_demandeur(c)})
        cibles_ajouts.append((co_form, "co_"))

    a_charge = {p.pk for p in d.personnes_a_charge}
    for ligne in lignes.forms:
        valeurs = ligne.cleaned_data
        pk = valeurs.get("id")
        if pk and pk not in a_charge:
            ligne.add_error(None, "Cette personne ne fait plus partie de la demande.")
            return False
        if pk and valeurs.get("retirer"):
            retraits.append(pk)
        elif pk:
            personnes[pk] = {
                champ: _vide(champ) if valeurs.get(champ) in (None, "") else valeurs[champ]
                for champ in CHAMPS_A_CHARGE
            }
            cibles[pk] = (ligne, "")
        elif (valeurs.get("nom") or "").strip():
            ajouts.append(
                {
                    "role": "personne_a_charge",
                    **{k: valeurs[k] for k in CHAMPS_A_CHARGE if valeurs.get(k) not in ("", None)},
                }
            )
            cibles_ajouts.append((ligne, ""))

    if "association" in formulaires:
        valeurs_demande.update(_valeurs_association(d, formulaires["association"].cleaned_data))

    try:
        changements = services.modifier_demande(
            d,
            request.user,
            guichet,
            demande_valeurs=valeurs_demande,
            personnes=personnes,
            ajouts=ajouts,
            retraits=retraits,
            communes=[commune["code"] for commune in donnees["communes"]],
            version=donnees["version"],
            justification_doublon=donnees["justification_doublon"],
        )
    except services.SuspicionDoublon as e:
        form.add_error("justification_doublon", MESSAGE_SUSPICION_DOUBLON)
        return _suspicions_lisibles(request, e)
    except services.DonneesInvalides as e:
        for erreur in e.details.get("erreurs") or [e.en_erreur()]:
            _placer_erreur(erreur, formulaires, cibles, cibles_ajouts)
        return False
    except ModificationConcurrente:
        raise
    except ErreurMetier as e:
        erreur_sur_formulaire(form, e)
        return False
    if changements:
        messages.success(
            request,
            "Modifications enregistrées — aucune attestation n'est nécessaire après une "
            "modification (FAQ).",
        )
        if services.separation_a_proposer(demande_complete(d.pk), changements):
            request.session[cle_separation_proposee(d.numero_unique)] = True
    else:
        messages.info(request, "Aucune modification à enregistrer.")
    return True


def _commune(commune: dict | None) -> Commune | None:
    return Commune.objects.get(pk=commune["code"]) if commune else None


def _entree_co_demandeur(c: dict) -> dict:
    """A new co-demandeur in the registration's format (`PersonneEntree`), from the fields
    `co_…` of the page: the service builds them as registration does."""
    entree = {k: c[f"co_{k}"] for k in CHAMPS_ENTREE_CO_DEMANDEUR if c[f"co_{k}"] not in ("", None)}
    if c["co_nir"]:
        entree["nir"] = c["co_nir"]
    if c["co_piece_identite_type"]:
        entree["piece_identite"] = {
            "type": c["co_piece_identite_type"],
            "numero": c["co_piece_identite_numero"],
            "date_expiration": c["co_piece_identite_expiration"],
        }
    if c["co_commune"]:
        entree["adresse"] = {
            "ligne1": c["co_adresse_ligne1"],
            "ligne2": c["co_adresse_ligne2"],
            "code_postal": c["co_code_postal"] or c["co_commune"]["code_postal"],
            "commune": c["co_commune"]["nom"],
        }
    employeur = c["co_employeur_commune"]
    if employeur or c["co_employeur_adresse"]:
        entree["employeur_adresse"] = {
            "ligne1": c["co_employeur_adresse"],
            "code_postal": c["co_employeur_code_postal"],
            "commune": employeur["nom"] if employeur else "",
        }
    return entree


def _valeurs_association(d: Demande, a: dict) -> dict:
    """The association's fields of the demande, from the wizard's association step: picked in
    the table (the free fields emptied, as at registration), or typed."""
    if a["association"] is not None:
        return {
            "association": a["association"],
            "association_nom": "",
            # A creation date sent with the table's association (API) stays while it does.
            "association_date_creation": d.association_date_creation
            if a["association"].pk == d.association_id
            else None,
            "association_adresse": "",
            "association_code_postal": "",
            "association_commune": None,
        }
    commune = a["association_commune"]
    return {
        "association": None,
        "association_nom": a["association_nom"],
        "association_date_creation": a["association_date_creation"],
        "association_adresse": a["association_adresse_ligne1"],
        "association_code_postal": commune["code_postal"] if commune else "",
        "association_commune": _commune(commune),
    }


# A refusal about a part of a person that the page shows as several fields: on the first.
CHAMPS_D_UNE_PARTIE = {
    "adresse": "commune",
    "employeur_adresse": "employeur_commune",
    "piece_identite": "piece_identite_type",
}


# The demande's association fields that the wizard's step shows under another name.
CHAMPS_ASSOCIATION_DE_LA_PAGE = {
    "association_adresse": "association_adresse_ligne1",
    "association_code_postal": "association_commune",
}


def _placer_erreur(erreur: dict, formulaires: dict, cibles: dict, cibles_ajouts: list) -> None:
    """A refusal of the service on the field that holds it: a person's field (by pk or by the
    index of the addition), else the field of the demande named by its dotted `champ`."""
    form, co_form = formulaires["form"], formulaires["co_form"]
    champ, message = erreur.get("champ") or "", erreur["message"]
    cible = None
    if "personne" in erreur:
        cible = cibles.get(erreur["personne"])
    elif "ajout" in erreur and erreur["ajout"] < len(cibles_ajouts):
        cible = cibles_ajouts[erreur["ajout"]]
    if cible is not None:
        formulaire, prefixe = cible
        parties = champ.split(".")
        nom = parties[1] if len(parties) > 1 else ""  # « co_demandeur.nom », « ajouts[0].nom »
        nom = f"{prefixe}{CHAMPS_D_UNE_PARTIE.get(nom, nom)}"
        formulaire.add_error(nom if nom in formulaire.fields else None, message)
        return
    association = formulaires.get("association")
    if association is not None and champ.startswith("association"):
        nom = CHAMPS_ASSOCIATION_DE_LA_PAGE.get(champ, champ)
        if nom not in association.fields:
            _, nom = localiser_erreur(champ, {})
        association.add_error(nom if nom in association.fields else None, message)
        return
    if champ in form.fields:
        form.add_error(champ, message)
        return
    _, nom = localiser_erreur(champ, {"souhaits": form.cleaned_data})
    if nom in form.fields:
        form.add_error(nom, message)
    elif nom in co_form.fields:
        co_form.add_error(nom, message)
    else:
        form.add_error(None, message)
