"""The agent's pages for demandes: search, step-by-step registration, the demande page with
its tabs, modification, renewal, radiation, réactivation, duplication for separation and the
attestation.

Views parse, check who acts for which desk, call `services` and render: no rule of the
register lives here. A refusal of a service (`ErreurMetier`) becomes a French message on the
page, never an error 500.
"""

import re
import uuid
from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Prefetch
from django.forms import CheckboxSelectMultiple, RadioSelect, formset_factory
from django.forms.utils import ErrorDict, ErrorList
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.views.decorators.http import require_GET, require_http_methods
from pydantic import ValidationError as ErreursSchema

from sne.audit.models import EvenementAudit
from sne.audit.services import adresse_ip, journaliser
from sne.comptes.decorateurs import habilite_requis
from sne.comptes.droits import droits_de
from sne.exceptions import ErreurMetier
from sne.organisations.models import Guichet
from sne.referentiels.models import Commune
from sne.referentiels.services import TROUVEE, resoudre_commune

from . import nomenclatures as n
from . import recherche as recherches
from . import services
from .forms import (
    COMMUNES_AFFICHEES,
    MAX_PERSONNES_A_CHARGE,
    EtapeAssociationForm,
    EtapeDemandeurForm,
    EtapeDoublonsForm,
    EtapeGuichetForm,
    EtapeMenageForm,
    EtapeRessourcesForm,
    EtapeSouhaitsForm,
    ModificationForm,
    PersonneAChargeForm,
    RadiationForm,
    ReactivationForm,
    RechercheNumeroForm,
    RecherchePersonneForm,
    libelle_commune,
)
from .models import CommuneSouhaitee, Demande, HistoriqueDemande, Personne
from .schemas import DemandeEntree

PAR_PAGE = 25
MESSAGE_SAISIE_REFUSEE = (
    "La saisie des demandes est réservée aux agents habilités en saisie sur un guichet "
    "enregistreur. Votre compte permet de consulter les demandes."
)


# --- Who acts, for which desk -----------------------------------------------------------------


def _guichets_saisie(utilisateur) -> list[Guichet]:
    droits = droits_de(utilisateur)
    return list(
        Guichet.objects.filter(pk__in=droits.guichets_saisie, actif=True)
        .prefetch_related("departements")
        .order_by("code")
    )


def guichet_agissant(utilisateur, demande: Demande) -> Guichet | None:
    """The desk an agent acts for on this demande: the one that registered it if they have
    saisie on it, else their first saisie desk habilitated on its département."""
    droits = droits_de(utilisateur)
    if not droits.guichets_saisie:
        return None
    if demande.guichet_enregistreur_id in droits.guichets_saisie:
        return demande.guichet_enregistreur
    return (
        Guichet.objects.filter(
            pk__in=droits.guichets_saisie, actif=True, departements=demande.departement_id
        )
        .order_by("code")
        .first()
    )


def _guichet_de_consultation(utilisateur, demande: Demande) -> Guichet | None:
    droits = droits_de(utilisateur)
    if demande.guichet_enregistreur_id in droits.guichets_consultation:
        return demande.guichet_enregistreur
    return Guichet.objects.filter(pk__in=droits.guichets_consultation).order_by("code").first()


def resume_erreurs(*formulaires, generales=()) -> list[dict]:
    """Every error of the page, each linked to its field: the summary read first."""
    resume = [{"libelle": "", "message": m, "ancre": ""} for m in generales]
    for objet in formulaires:
        if objet is None or not objet.is_bound:
            continue
        if hasattr(objet, "forms"):
            resume += [{"libelle": "", "message": m, "ancre": ""} for m in objet.non_form_errors()]
            liste = list(objet.forms)
        else:
            liste = [objet]
        for form in liste:
            for nom, erreurs in form.errors.items():
                if nom == "__all__" or nom not in form.fields:
                    resume += [{"libelle": "", "message": m, "ancre": ""} for m in erreurs]
                    continue
                champ = form[nom]
                multiple = isinstance(champ.field.widget, (RadioSelect, CheckboxSelectMultiple))
                libelle = str(champ.label).replace(" (facultatif)", "")
                resume += [
                    {
                        "libelle": libelle,
                        "message": m,
                        "ancre": f"{champ.auto_id}_0" if multiple else champ.auto_id,
                    }
                    for m in erreurs
                ]
    return resume


def _refuser(request, message: str):
    return render(request, "erreurs/403.html", {"message": message}, status=403)


def _demande_visible(request, numero: str):
    """(demande, None) or (None, response): a miss shows the close numbers."""
    try:
        demande = recherches.trouver_demande(numero, request.user)
    except ErreurMetier as e:
        return None, render(
            request,
            "demandes/introuvable.html",
            {
                "title": "Demande introuvable",
                "message": e.message,
                "suggestions": e.details.get("suggestions", []),
                "saisie": numero,
            },
            status=404,
        )
    return demande, None


def _demande_complete(pk: int) -> Demande:
    return (
        Demande.objects.select_related("departement", "guichet_enregistreur", "association")
        .prefetch_related(
            Prefetch(
                "personnes",
                queryset=Personne.objects.select_related("commune", "employeur_commune"),
            ),
            Prefetch(
                "communes_souhaitees",
                queryset=CommuneSouhaitee.objects.select_related("commune"),
            ),
            Prefetch(
                "historique",
                queryset=HistoriqueDemande.objects.select_related(
                    "utilisateur", "guichet"
                ).order_by("-horodatage", "-pk"),
            ),
        )
        .get(pk=pk)
    )


# --- Search ----------------------------------------------------------------------------------


@require_GET
@habilite_requis
def recherche(request):
    """Find a demande by its numéro unique, or by the demandeur's name and birth date."""
    droits = droits_de(request.user)
    par_numero = "numero" in request.GET
    par_personne = not par_numero and any(
        request.GET.get(k) for k in ("nom", "prenom", "date_naissance")
    )
    form_numero = RechercheNumeroForm(request.GET if par_numero else None)
    form_personne = RecherchePersonneForm(request.GET if par_personne else None)
    suggestions, page, legende = [], None, ""
    if par_numero and form_numero.is_valid():
        saisie = form_numero.cleaned_data["numero"]
        try:
            demande = recherches.trouver_demande(saisie, request.user)
        except ErreurMetier as e:
            form_numero.add_error("numero", e.message)
            suggestions = e.details.get("suggestions", [])
        else:
            return redirect("demandes:demande", numero=demande.numero_unique)
    if par_personne and form_personne.is_valid():
        donnees = form_personne.cleaned_data
        page = recherches.rechercher_par_personne(
            request.user,
            donnees["nom"],
            donnees["prenom"],
            donnees["date_naissance"],
            request.GET.get("page"),
            PAR_PAGE,
        )
        nombre = page.paginator.count
        legende = (
            f"{nombre} demande{'s' if nombre > 1 else ''} parmi celles que vous pouvez consulter"
        )
    recentes = []
    if not par_numero and not par_personne:
        recentes = recherches.demandes_recentes(request.user)
    return render(
        request,
        "demandes/recherche.html",
        {
            "title": "Demandes de logement social",
            "form_numero": form_numero,
            "form_personne": form_personne,
            "suggestions": suggestions,
            "page": page,
            "legende_resultats": legende,
            "recentes": recentes,
            "peut_saisir": bool(droits.guichets_saisie),
            "aujourd_hui": timezone.localdate(),
        },
    )


# --- Creation wizard -------------------------------------------------------------------------

ETAPES = [
    ("guichet", "Guichet, département et date de dépôt"),
    ("demandeur", "Demandeur"),
    ("menage", "Ménage"),
    ("ressources", "Ressources, logement actuel et motifs"),
    ("souhaits", "Logement souhaité"),
    ("doublons", "Recherche de doublons"),
    ("recapitulatif", "Récapitulatif et enregistrement"),
]
SLUGS = [slug for slug, _ in ETAPES]
TITRES = dict(ETAPES)
PREFIXE_SESSION = "demande_assistant:"
ASSISTANTS_GARDES = 5
IGNORES = {"csrfmiddlewaretoken", "action"}


def _cle(assistant: str) -> str:
    return f"{PREFIXE_SESSION}{assistant}"


def _etat(request, assistant: str) -> dict | None:
    return request.session.get(_cle(assistant))


def _sauver(request, assistant: str, etat: dict) -> None:
    request.session[_cle(assistant)] = etat


def _donnees(brutes: dict | None) -> MultiValueDict | None:
    return MultiValueDict(brutes) if brutes is not None else None


def _brutes(data) -> dict:
    return {k: data.getlist(k) for k in data if k not in IGNORES}


def _url_etape(assistant: str, etape: str) -> str:
    return reverse("demandes:assistant", kwargs={"assistant": assistant, "etape": etape})


@require_GET
@habilite_requis
def nouvelle(request):
    """Start a registration: a new wizard, kept in the session under its own id (so that two
    tabs can each register a demande)."""
    if not _guichets_saisie(request.user):
        return _refuser(request, MESSAGE_SAISIE_REFUSEE)
    anciens = sorted(
        (k for k in request.session.keys() if k.startswith(PREFIXE_SESSION)),  # noqa: SIM118
        key=lambda k: request.session[k].get("cree", ""),
    )
    for cle in anciens[: max(0, len(anciens) - ASSISTANTS_GARDES + 1)]:
        del request.session[cle]
    assistant = uuid.uuid4().hex[:12]
    _sauver(
        request,
        assistant,
        {
            "cree": timezone.now().isoformat(),
            "etapes": {},
            "erreurs": {},
            "nb_personnes": 1,
            "nb_communes": COMMUNES_AFFICHEES,
        },
    )
    return redirect(_url_etape(assistant, SLUGS[0]))


def _formset_personnes(data, nombre: int):
    """The personnes à charge: `nombre` rows shown; « Ajouter une personne » adds one."""
    classe = formset_factory(
        PersonneAChargeForm,
        extra=nombre,
        max_num=MAX_PERSONNES_A_CHARGE,
        absolute_max=MAX_PERSONNES_A_CHARGE,
        validate_max=True,
    )
    return classe(data, prefix="personnes")


def _choix_etape_guichet(etat: dict, champ: str) -> str:
    """A value chosen at the first step (« departement », « beneficiaire »), as stored."""
    return ((etat["etapes"].get("guichet") or {}).get(champ) or [""])[0]


def _pour_association(etat: dict) -> bool:
    return _choix_etape_guichet(etat, "beneficiaire") == Demande.Beneficiaire.ASSOCIATION


def _formulaires(request, etat: dict, etape: str, data) -> dict:
    """The forms of a step, bound to `data` (or not)."""
    if etape == "guichet":
        return {"form": EtapeGuichetForm(data, guichets=_guichets_saisie(request.user))}
    if etape == "demandeur":
        formulaires = {"form": EtapeDemandeurForm(data)}
        if _pour_association(etat):
            # The association beneficiary, then its representative (the demandeur).
            formulaires["association"] = EtapeAssociationForm(
                data, departement=_choix_etape_guichet(etat, "departement")
            )
        return formulaires
    if etape == "menage":
        return {
            "form": EtapeMenageForm(data),
            "personnes": _formset_personnes(data, etat.get("nb_personnes", 1)),
        }
    if etape == "ressources":
        return {"form": EtapeRessourcesForm(data)}
    if etape == "souhaits":
        departement = _choix_etape_guichet(etat, "departement")
        return {
            "form": EtapeSouhaitsForm(
                data, departement=departement, nb_communes=etat.get("nb_communes", 3)
            )
        }
    raise Http404


def _sans_erreurs(formulaires: dict) -> dict:
    """Bound forms shown again without their errors (« Ajouter une personne / une commune »:
    the person has not asked to validate yet)."""
    for objet in formulaires.values():
        for form in getattr(objet, "forms", [objet]):
            form._errors = ErrorDict()
        if hasattr(objet, "forms"):
            objet._errors, objet._non_form_errors = [], ErrorList()
    return formulaires


def _valides(formulaires: dict) -> bool:
    return all([f.is_valid() for f in formulaires.values()])  # every form validated


def _propres(request, etat: dict) -> tuple[dict, str | None]:
    """The cleaned data of the completed steps, or the first step that no longer validates."""
    propres = {}
    for etape in SLUGS[:5]:
        brutes = etat["etapes"].get(etape)
        if brutes is None:
            return propres, etape
        formulaires = _formulaires(request, etat, etape, _donnees(brutes))
        if not _valides(formulaires):
            return propres, etape
        propres[etape] = formulaires["form"].cleaned_data
        if "association" in formulaires:
            propres["association"] = formulaires["association"].cleaned_data
        if etape == "menage":
            propres["personnes"] = [
                p for p in formulaires["personnes"].cleaned_data if (p.get("nom") or "").strip()
            ]
            propres["a_co_demandeur"] = formulaires["form"].a_co_demandeur
    return propres, None


def _suspicions(request, propres: dict) -> list[dict]:
    """Duplicate search for the demandeur and the co-demandeur, nationally and whatever the
    desk's scope; each suspicion says whether this person may open it."""
    d, m = propres["demandeur"], propres["menage"]
    trouvees = services.rechercher_doublons(d["nom"], d["prenom"], d["date_naissance"])
    if propres.get("a_co_demandeur") and m.get("co_date_naissance"):
        trouvees += services.rechercher_doublons(
            m["co_nom"], m["co_prenom"], m["co_date_naissance"]
        )
    suspicions = {s.numero_unique: s.en_dict() for s in trouvees}
    visibles = set(
        Demande.objects.visibles_par(request.user)
        .filter(numero_unique__in=suspicions)
        .values_list("numero_unique", flat=True)
    )
    for numero, s in suspicions.items():
        s["visible"] = numero in visibles
        s["date_depot"] = date.fromisoformat(s["date_depot"])
    return list(suspicions.values())


def _personne_entree(valeurs: dict, prefixe: str = "") -> dict:
    def v(champ, defaut=""):
        return valeurs.get(prefixe + champ, defaut)

    return {
        "civilite": v("civilite") or None,
        "nom": v("nom").strip(),
        "prenom": v("prenom").strip(),
        "date_naissance": v("date_naissance", None),
        "nationalite": v("nationalite") or None,
        "email": v("email"),
        "telephone": v("telephone"),
        "situation_professionnelle": v("situation_professionnelle") or None,
        "revenus_mensuels": v("revenus_mensuels", None),
    }


def _commune_d_adresse(commune: dict, code_postal: str) -> dict:
    """The address's commune as the service reads it: « 93200 » + « Saint-Denis » keeps the
    postal code chosen; the INSEE code alone when that pair would designate another commune."""
    resolution = resoudre_commune(f"{code_postal} {commune['nom']}".strip())
    if resolution.statut == TROUVEE and resolution.commune.code_insee == commune["code"]:
        return {"code_postal": code_postal, "commune": commune["nom"]}
    return {"code_postal": "", "commune": commune["code"]}


def _association_entree(a: dict | None) -> dict | None:
    """The association as the service takes it: its id in the département's table, or what
    the desk typed (name, creation date, address)."""
    if not a:
        return None
    if a.get("association"):
        return {"id": a["association"].pk}
    commune = a.get("association_commune")
    return {
        "nom": (a.get("association_nom") or "").strip(),
        "date_creation": a.get("association_date_creation"),
        "adresse": {
            "ligne1": (a.get("association_adresse_ligne1") or "").strip(),
            **(_commune_d_adresse(commune, commune["code_postal"]) if commune else {}),
        },
    }


def construire_entree(propres: dict) -> dict:
    """The `DemandeEntree`-shaped content of the demande, from the steps' cleaned data."""
    g, d, m, r, s = (
        propres[e] for e in ("guichet", "demandeur", "menage", "ressources", "souhaits")
    )
    demandeur = _personne_entree(d)
    demandeur.update(
        nom_naissance=d["nom_naissance"],
        nir=d["nir"],
        employeur=d["employeur"],
        situation_familiale=d["situation_familiale"] or None,
        piece_identite={
            "type": d["piece_identite_type"],
            "numero": d["piece_identite_numero"],
            "date_expiration": d["piece_identite_expiration"],
        },
        adresse={
            "ligne1": d["adresse_ligne1"],
            "ligne2": d["adresse_ligne2"],
            **_commune_d_adresse(d["commune"], d["code_postal"]),
        },
    )
    co = None
    if propres.get("a_co_demandeur"):
        co = _personne_entree(m, "co_")
        co["lien"] = m["co_lien"]
    beneficiaire = g.get("beneficiaire") or Demande.Beneficiaire.MENAGE
    return {
        "departement": g["departement"],
        "date_depot": g["date_depot"],
        "beneficiaire": beneficiaire,
        "association": _association_entree(propres.get("association"))
        if beneficiaire == Demande.Beneficiaire.ASSOCIATION
        else None,
        "demandeur": demandeur,
        "co_demandeur": co,
        "personnes_a_charge": [
            {
                "nom": p["nom"].strip(),
                "prenom": p["prenom"].strip(),
                "date_naissance": p.get("date_naissance"),
                "lien": p.get("lien") or "",
            }
            for p in propres.get("personnes", [])
        ],
        "deja_locataire_hlm": r["deja_locataire_hlm"] == "oui",
        "logement_actuel": {
            "type": r["logement_actuel"] or None,
            "loyer": r["loyer_actuel"],
            "nombre_pieces": r["nombre_pieces_actuel"],
            "bailleur": r["bailleur_actuel"],
        },
        "ressources": {
            "revenu_fiscal_reference": r["revenu_fiscal_reference"],
            "annee_revenus": r["annee_revenus"],
        },
        "motifs": r["motifs"],
        "motif_precision": r["motif_precision"],
        "souhaits": {
            "communes": [c["code"] for c in s["communes"]],
            "typologies": s["typologies"],
            "categorie_logement": s["categorie_logement"] or None,
            "ascenseur_necessaire": s["ascenseur_necessaire"],
            "rez_de_chaussee": s["rez_de_chaussee"],
            "logement_adapte_handicap": s["logement_adapte_handicap"],
            "precisions_handicap": s["precisions_handicap"],
        },
    }


_CHAMPS_PIECE = {
    "type": "piece_identite_type",
    "numero": "piece_identite_numero",
    "date_expiration": "piece_identite_expiration",
}
_CHAMPS_ADRESSE = {
    "ligne1": "adresse_ligne1",
    "ligne2": "adresse_ligne2",
    "code_postal": "code_postal",
    "commune": "commune",
}
_CHAMPS_ASSOCIATION = {
    "id": "association_recherche",
    "nom": "association_nom",
    "date_creation": "association_date_creation",
    "adresse": "association_adresse_ligne1",
}
_CHAMPS_ADRESSE_ASSOCIATION = {
    "ligne1": "association_adresse_ligne1",
    "ligne2": "association_adresse_ligne1",
    "code_postal": "association_commune",
    "commune": "association_commune",
}
_CHAMPS_LOGEMENT = {
    "type": "logement_actuel",
    "loyer": "loyer_actuel",
    "nombre_pieces": "nombre_pieces_actuel",
    "bailleur": "bailleur_actuel",
}


def localiser_erreur(champ: str, propres: dict) -> tuple[str, str | None]:
    """The step (and the field of its form) that holds a service's `champ`, given in dotted
    form (« demandeur.adresse.commune », « souhaits.communes[2] »)."""
    parties = [p for p in re.split(r"[.\[\]]+", champ) if p]
    tete, reste = (parties[0] if parties else ""), parties[1:]
    if tete in ("departement", "date_depot", "beneficiaire", "reference_externe"):
        return "guichet", tete if tete in ("departement", "date_depot", "beneficiaire") else None
    if tete == "association":  # asked with the demandeur, who represents it
        if len(reste) > 1 and reste[0] == "adresse":
            return "demandeur", _CHAMPS_ADRESSE_ASSOCIATION.get(reste[1])
        return "demandeur", _CHAMPS_ASSOCIATION.get(reste[0] if reste else "nom")
    if tete == "demandeur":
        if not reste:
            return "demandeur", None
        if reste[0] == "piece_identite":
            return "demandeur", _CHAMPS_PIECE.get(reste[1] if len(reste) > 1 else "type")
        if reste[0] == "adresse":
            return "demandeur", _CHAMPS_ADRESSE.get(reste[1] if len(reste) > 1 else "ligne1")
        if reste[0] == "employeur_adresse":
            return "demandeur", "employeur"
        return "demandeur", reste[0] if reste[0] in EtapeDemandeurForm.base_fields else None
    if tete == "co_demandeur":
        nom = f"co_{reste[0]}" if reste else ""
        return "menage", nom if nom in EtapeMenageForm.base_fields else None
    if tete in ("personnes_a_charge", "nombre_personnes"):
        return "menage", None
    if tete == "souhaits":
        if reste and reste[0] == "communes":
            if len(reste) > 1 and reste[1].isdigit():
                communes = (propres.get("souhaits") or {}).get("communes") or []
                i = int(reste[1])
                return "souhaits", communes[i]["champ"] if i < len(communes) else "commune_1"
            return "souhaits", "commune_1"
        return "souhaits", reste[0] if reste and reste[0] in EtapeSouhaitsForm.base_fields else None
    if tete in ("deja_locataire_hlm", "motifs", "motif_precision"):
        return "ressources", tete
    if tete == "logement_actuel":
        return "ressources", _CHAMPS_LOGEMENT.get(reste[0] if reste else "type")
    if tete == "ressources":
        return "ressources", reste[0] if reste else None
    return "recapitulatif", None


def _erreurs_schema(e: ErreursSchema) -> list[dict]:
    return [
        {
            "champ": ".".join(str(p) for p in err["loc"]),
            "message": re.sub(r"^Value error, ", "", err["msg"]),
        }
        for err in e.errors()
    ]


def _renvoyer_aux_etapes(request, assistant, etat, propres, erreurs: list[dict]):
    """Put the service's errors back on the steps that hold them; go to the first one."""
    etat["erreurs"] = {}
    for erreur in erreurs:
        etape, champ = localiser_erreur(erreur.get("champ", ""), propres)
        etat["erreurs"].setdefault(etape, []).append([champ, erreur["message"]])
    _sauver(request, assistant, etat)
    premiere = min(etat["erreurs"], key=SLUGS.index)
    messages.error(
        request,
        "La demande n'a pas été enregistrée : corrigez "
        + ("l'erreur signalée." if len(erreurs) == 1 else "les erreurs signalées."),
    )
    return redirect(_url_etape(assistant, premiere))


def _appliquer_erreurs(formulaires: dict, erreurs: list) -> list[str]:
    """Stored service errors on the step's forms (the field's names are unique across a
    step's forms); those without a field are returned."""
    generales = []
    simples = [f for f in formulaires.values() if not hasattr(f, "forms")]  # not formsets
    for champ, message in erreurs:
        form = next((f for f in simples if champ and champ in f.fields), None)
        if form is not None:
            form.add_error(champ, message)
        else:
            generales.append(message)
    return generales


def _premiere_a_faire(etat: dict) -> str:
    return next((e for e in SLUGS[:-1] if e not in etat["etapes"]), SLUGS[-1])


def _entier(valeur, defaut: int, maximum: int) -> int:
    try:
        return max(1, min(int(valeur), maximum))
    except (TypeError, ValueError):
        return defaut


@require_http_methods(["GET", "POST"])
@habilite_requis
def assistant(request, assistant, etape):
    """One step of the registration. Each step is validated by its form; the registration
    itself (last step) by the service, whose errors are taken back to their steps."""
    if etape not in SLUGS:
        raise Http404
    guichets = _guichets_saisie(request.user)
    if not guichets:
        return _refuser(request, MESSAGE_SAISIE_REFUSEE)
    etat = _etat(request, assistant)
    if etat is None:
        messages.info(
            request,
            "Cette saisie n'est plus en cours (demande déjà enregistrée ou session expirée) : "
            "vous pouvez en commencer une nouvelle.",
        )
        return redirect("demandes:nouvelle")
    a_faire = _premiere_a_faire(etat)
    if SLUGS.index(etape) > SLUGS.index(a_faire):
        return redirect(_url_etape(assistant, a_faire))
    if etape == "doublons":
        return _etape_doublons(request, assistant, etat)
    if etape == "recapitulatif":
        return _etape_recapitulatif(request, assistant, etat, guichets)

    generales = []
    if request.method == "POST":
        action = request.POST.get("action", "suivant")
        data = request.POST.copy()
        precedentes = etat["etapes"].get(etape) or {}
        if etape == "demandeur" and not data.get("nir") and precedentes.get("nir", [""])[0]:
            data["nir"] = precedentes["nir"][0]  # kept, never displayed again
        if action == "ajouter_personne" and etape == "menage":
            total = _entier(data.get("personnes-TOTAL_FORMS"), 0, MAX_PERSONNES_A_CHARGE)
            etat["nb_personnes"] = min(total + 1, MAX_PERSONNES_A_CHARGE)
            data["personnes-TOTAL_FORMS"] = str(etat["nb_personnes"])
            _sauver(request, assistant, etat)
            formulaires = _sans_erreurs(_formulaires(request, etat, etape, data))
            return _rendre_etape(request, assistant, etat, etape, formulaires, focus="personnes")
        if action == "ajouter_commune" and etape == "souhaits":
            etat["nb_communes"] = min(
                etat.get("nb_communes", COMMUNES_AFFICHEES) + 1,
                services.LIMITE_COMMUNES_SOUHAITEES,
            )
            _sauver(request, assistant, etat)
            formulaires = _sans_erreurs(_formulaires(request, etat, etape, data))
            return _rendre_etape(request, assistant, etat, etape, formulaires, focus="communes")
        formulaires = _formulaires(request, etat, etape, data)
        if _valides(formulaires):
            etat["etapes"][etape] = _brutes(data)
            etat["erreurs"].pop(etape, None)
            if etape in ("demandeur", "menage"):
                etat["etapes"].pop("doublons", None)  # the duplicate search must run again
            if etape == "menage":
                etat["nb_personnes"] = _entier(
                    data.get("personnes-TOTAL_FORMS"), 1, MAX_PERSONNES_A_CHARGE
                )
            _sauver(request, assistant, etat)
            return redirect(_url_etape(assistant, _premiere_a_faire(etat)))
    else:
        brutes = etat["etapes"].get(etape)
        formulaires = _formulaires(request, etat, etape, _donnees(brutes))
        if brutes is not None:
            _valides(formulaires)
            generales = _appliquer_erreurs(formulaires, etat["erreurs"].get(etape, []))
    return _rendre_etape(request, assistant, etat, etape, formulaires, generales=generales)


def _contexte_etape(assistant: str, etat: dict, etape: str) -> dict:
    i = SLUGS.index(etape)
    return {
        "title": f"Nouvelle demande — {TITRES[etape]}",
        "assistant": assistant,
        "etape": etape,
        "numero_etape": i + 1,
        "nb_etapes": len(SLUGS),
        "titre_etape": TITRES[etape],
        "titre_suivante": TITRES[SLUGS[i + 1]] if i + 1 < len(SLUGS) else "",
        "precedente": _url_etape(assistant, SLUGS[i - 1]) if i else "",
        "etapes_faites": [
            {"slug": s, "titre": TITRES[s], "url": _url_etape(assistant, s)}
            for s in SLUGS[:-1]
            if s in etat["etapes"]
        ],
    }


def _rendre_etape(request, assistant, etat, etape, formulaires, generales=(), focus=""):
    contexte = _contexte_etape(assistant, etat, etape)
    contexte.update(formulaires)
    contexte["erreurs_generales"] = list(generales)
    contexte["resume_erreurs"] = resume_erreurs(*formulaires.values(), generales=generales)
    # After « Ajouter … », the focus goes to the new line (keyboard and screen reader users).
    if focus == "personnes" and formulaires["personnes"].forms:
        formulaires["personnes"].forms[-1].fields["nom"].widget.attrs["autofocus"] = True
    elif focus == "communes":
        form = formulaires["form"]
        form.fields[form.noms_communes[-1]].widget.attrs["autofocus"] = True
    contexte["nb_communes_max"] = services.LIMITE_COMMUNES_SOUHAITEES
    contexte["nb_personnes_max"] = MAX_PERSONNES_A_CHARGE
    return render(request, f"demandes/etapes/{etape}.html", contexte)


def _etape_doublons(request, assistant, etat):
    propres, invalide = _propres(request, etat)
    if invalide:
        return redirect(_url_etape(assistant, invalide))
    suspicions = _suspicions(request, propres)
    data = request.POST if request.method == "POST" else None
    if data is None and "doublons" in etat["etapes"]:
        data = _donnees(etat["etapes"]["doublons"])
    form = EtapeDoublonsForm(data, exige=bool(suspicions))
    generales = []
    if request.method == "POST" and form.is_valid():
        etat["etapes"]["doublons"] = _brutes(request.POST)
        etat["suspicions"] = [s["numero_unique"] for s in suspicions]
        etat["erreurs"].pop("doublons", None)
        _sauver(request, assistant, etat)
        return redirect(_url_etape(assistant, _premiere_a_faire(etat)))
    if request.method == "GET":
        if form.is_bound:
            form.is_valid()
        generales = [m for _, m in etat["erreurs"].get("doublons", [])]
    contexte = _contexte_etape(assistant, etat, "doublons")
    contexte.update(
        {
            "form": form,
            "suspicions": suspicions,
            "erreurs_generales": generales,
            "resume_erreurs": resume_erreurs(form, generales=generales),
            "demandeur": propres["demandeur"],
            "co": propres["menage"] if propres.get("a_co_demandeur") else None,
        }
    )
    return render(request, "demandes/etapes/doublons.html", contexte)


def _valeur_lisible(champ, valeur) -> str:
    """How a cleaned value reads in the summary."""
    if valeur is None or valeur == "" or valeur == [] or valeur is False:
        return ""
    if valeur is True:
        return "Oui"
    if isinstance(valeur, dict) and "code" in valeur:
        return f"{valeur['nom']} ({valeur['code']})"
    if isinstance(valeur, date):
        return valeur.strftime("%d/%m/%Y")
    if isinstance(valeur, Decimal):
        return f"{valeur} €"
    choix = dict(getattr(champ, "choices", []) or [])
    if isinstance(valeur, list):
        return ", ".join(str(choix.get(v, v)) for v in valeur)
    return str(choix.get(valeur, valeur))


def _lignes(form, cleaned: dict, exclure=(), prefixe_libelle="") -> list[tuple[str, str]]:
    lignes = []
    for nom, champ in form.fields.items():
        if nom in exclure:
            continue
        if nom == "nir":
            if cleaned.get("nir"):
                lignes.append(("Numéro de sécurité sociale", "renseigné (masqué)"))
            continue
        texte = _valeur_lisible(champ, cleaned.get(nom))
        if texte:
            libelle = str(champ.label).replace(" (facultatif)", "")
            lignes.append((prefixe_libelle + libelle, texte))
    return lignes


def _recapitulatif(request, assistant, etat, propres) -> list[dict]:
    sections = []
    for etape in SLUGS[:5]:
        formulaires = _formulaires(request, etat, etape, None)
        form = formulaires["form"]
        if etape == "guichet":
            guichet = form.guichets.get(propres["guichet"]["guichet"])
            lignes = [
                ("Guichet enregistreur", f"{guichet.code} — {guichet.nom}" if guichet else ""),
                *_lignes(form, propres[etape], exclure=("guichet",)),
            ]
            if not propres["guichet"]["date_depot"]:
                lignes.append(("Date de dépôt", "aujourd'hui"))
        elif etape == "menage":
            lignes = []
            if propres.get("a_co_demandeur"):
                lignes += _lignes(form, propres[etape], prefixe_libelle="Co-demandeur — ")
            else:
                lignes.append(("Co-demandeur", "aucun"))
            for i, p in enumerate(propres.get("personnes", []), 1):
                naissance = p.get("date_naissance")
                lien = dict(n.LienParente.choices).get(p.get("lien"), "")
                lignes.append(
                    (
                        f"Personne à charge n° {i}",
                        f"{p['prenom']} {p['nom'].upper()}"
                        + (f", né(e) le {naissance:%d/%m/%Y}" if naissance else "")
                        + (f" ({lien.lower()})" if lien else ""),
                    )
                )
            lignes.append(("Nombre de personnes à loger", str(_nombre_personnes(propres))))
        elif etape == "demandeur" and propres.get("association"):
            lignes = [*_lignes_association(propres["association"]), *_lignes(form, propres[etape])]
        elif etape == "souhaits":
            lignes = [
                (
                    "Communes souhaitées",
                    ", ".join(f"{c['nom']} ({c['code']})" for c in propres[etape]["communes"]),
                ),
                *_lignes(form, propres[etape], exclure=form.noms_communes),
            ]
        else:
            lignes = _lignes(form, propres[etape])
        sections.append(
            {
                "etape": etape,
                "titre": TITRES[etape],
                "url": _url_etape(assistant, etape),
                "lignes": lignes,
            }
        )
    return sections


def _lignes_association(a: dict) -> list[tuple[str, str]]:
    """The association beneficiary in the summary: from the table, or as typed."""
    association = a.get("association")
    if association:
        lignes = [("Association bénéficiaire", f"{association.nom} (table du département)")]
        if association.siren:
            lignes.append(("SIREN de l'association", association.siren))
        if association.date_creation:
            lignes.append(
                ("Date de création de l'association", f"{association.date_creation:%d/%m/%Y}")
            )
        if association.adresse:
            lignes.append(("Adresse de l'association", association.adresse))
        return lignes
    commune = a.get("association_commune")
    adresse = ", ".join(
        p
        for p in (
            a.get("association_adresse_ligne1"),
            f"{commune['code_postal']} {commune['nom']}".strip() if commune else "",
        )
        if p
    )
    creation = a.get("association_date_creation")
    return [
        ("Association bénéficiaire", f"{a.get('association_nom')} (saisie libre)"),
        ("Date de création de l'association", f"{creation:%d/%m/%Y}" if creation else ""),
        ("Adresse de l'association", adresse),
    ]


def _nombre_personnes(propres: dict) -> int:
    return 1 + (1 if propres.get("a_co_demandeur") else 0) + len(propres.get("personnes", []))


def _etape_recapitulatif(request, assistant, etat, guichets):
    propres, invalide = _propres(request, etat)
    if invalide:
        return redirect(_url_etape(assistant, invalide))
    justification = (etat["etapes"].get("doublons") or {}).get("justification", [""])[0]
    generales = [m for _, m in etat["erreurs"].pop("recapitulatif", [])]
    if generales:
        _sauver(request, assistant, etat)  # shown once
    if request.method == "POST":
        guichet = next((g for g in guichets if str(g.pk) == propres["guichet"]["guichet"]), None)
        if guichet is None:
            return redirect(_url_etape(assistant, "guichet"))
        entree = construire_entree(propres)
        try:
            entree = DemandeEntree.model_validate(entree)
            demande = services.enregistrer_demande(
                guichet, request.user, entree, justification_forcage=justification or None
            )
        except ErreursSchema as e:
            return _renvoyer_aux_etapes(request, assistant, etat, propres, _erreurs_schema(e))
        except services.SuspicionDoublon:
            etat["etapes"].pop("doublons", None)
            etat["erreurs"]["doublons"] = [
                [
                    None,
                    "Une demande active existe déjà pour cette personne : vérifiez-la, et ne "
                    "forcez la création qu'avec une justification écrite.",
                ]
            ]
            _sauver(request, assistant, etat)
            return redirect(_url_etape(assistant, "doublons"))
        except services.DonneesInvalides as e:
            erreurs = e.details.get("erreurs") or [{"champ": "", "message": e.message}]
            return _renvoyer_aux_etapes(request, assistant, etat, propres, erreurs)
        except ErreurMetier as e:
            if e.code == "departement_non_habilite":
                return _renvoyer_aux_etapes(
                    request,
                    assistant,
                    etat,
                    propres,
                    [{"champ": "departement", "message": e.message}],
                )
            generales = [e.message]
        else:
            del request.session[_cle(assistant)]
            messages.success(
                request,
                f"Demande enregistrée : numéro unique {demande.numero_unique}. "
                "L'attestation d'enregistrement est envoyée au demandeur.",
            )
            return redirect("demandes:demande", numero=demande.numero_unique)
    contexte = _contexte_etape(assistant, etat, "recapitulatif")
    contexte.update(
        {
            "sections": _recapitulatif(request, assistant, etat, propres),
            "suspicions": etat.get("suspicions", []),
            "justification": justification,
            "erreurs_generales": generales,
        }
    )
    return render(request, "demandes/etapes/recapitulatif.html", contexte)


# --- The demande page ------------------------------------------------------------------------

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


def _historique(demande: Demande) -> list[dict]:
    lignes = []
    for h in demande.historique.all():
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
    aujourd_hui = timezone.localdate()
    fin = services.fin_fenetre_reactivation(demande)
    return {
        "guichet_action": guichet,
        "peut_agir": guichet is not None,
        "peut_modifier": guichet is not None and demande.est_active,
        "peut_reactiver": guichet is not None and fin is not None and aujourd_hui <= fin,
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
    trouvee, reponse = _demande_visible(request, numero)
    if reponse:
        return reponse
    if trouvee.numero_unique != numero:
        return redirect("demandes:demande", numero=trouvee.numero_unique)
    d = _demande_complete(trouvee.pk)
    actions = _actions(request, d)
    services.consulter(
        d, request.user, actions["guichet_action"] or _guichet_de_consultation(request.user, d)
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
            "historique": _historique(d),
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


def _pour_agir(request, numero):
    """(demande, desk, None) when the person may act on it, else (…, response)."""
    trouvee, reponse = _demande_visible(request, numero)
    if reponse:
        return None, None, reponse
    guichet = guichet_agissant(request.user, trouvee)
    if guichet is None:
        return (
            trouvee,
            None,
            _refuser(
                request,
                "Vous pouvez consulter cette demande mais pas la modifier : il faut une "
                "habilitation de saisie sur un guichet habilité sur son département.",
            ),
        )
    return trouvee, guichet, None


def _vers_demande(numero: str, onglet: str = "") -> str:
    url = reverse("demandes:demande", kwargs={"numero": numero})
    return f"{url}?onglet={onglet}" if onglet else url


@require_http_methods(["GET", "POST"])
@habilite_requis
def renouveler(request, numero):
    d, guichet, reponse = _pour_agir(request, numero)
    if reponse:
        return reponse
    if request.method == "POST":
        try:
            d = services.renouveler(d, request.user, guichet)
        except ErreurMetier as e:
            messages.error(request, e.message)
        else:
            messages.success(
                request,
                f"Demande renouvelée : elle expire désormais le {d.date_expiration:%d/%m/%Y}. "
                "L'attestation de renouvellement est envoyée au demandeur.",
            )
        return redirect(_vers_demande(d.numero_unique))
    return render(
        request,
        "demandes/confirmation.html",
        {
            "title": f"Renouveler la demande {d.numero_unique}",
            "d": d,
            "action": "renouveler",
            "nouvelle_expiration": services.un_an_apres(timezone.localdate()),
            "guichet": guichet,
        },
    )


_CHAMPS_RADIATION = {
    "sous_motif_requis": "sous_motif",
    "sous_motif_interdit": "sous_motif",
    "avertissement_requis": "date_avertissement",
    "delai_avertissement": "date_avertissement",
    "motif_inconnu": "motif",
    "delai_non_renouvellement": "motif",
}


@require_http_methods(["GET", "POST"])
@habilite_requis
def radier(request, numero):
    d, guichet, reponse = _pour_agir(request, numero)
    if reponse:
        return reponse
    form = RadiationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        donnees = form.cleaned_data
        try:
            d = services.radier(
                d,
                donnees["motif"],
                donnees["sous_motif"],
                par=request.user,
                guichet=guichet,
                commentaire=donnees["commentaire"],
                date_avertissement=donnees["date_avertissement"],
            )
        except ErreurMetier as e:
            form.add_error(_CHAMPS_RADIATION.get(e.code), e.message)
        else:
            fin = services.fin_fenetre_reactivation(d)
            messages.success(
                request,
                f"Demande radiée ({d.get_motif_radiation_display().lower()}). Elle reste "
                f"consultable ; une réactivation est possible jusqu'au {fin:%d/%m/%Y}.",
            )
            return redirect(_vers_demande(d.numero_unique))
    if not d.est_active:
        messages.info(request, "Cette demande est déjà radiée.")
        return redirect(_vers_demande(d.numero_unique))
    return render(
        request,
        "demandes/radiation.html",
        {
            "title": f"Radier la demande {d.numero_unique}",
            "d": d,
            "form": form,
            "resume_erreurs": resume_erreurs(form),
        },
    )


@require_http_methods(["GET", "POST"])
@habilite_requis
def reactiver(request, numero):
    d, guichet, reponse = _pour_agir(request, numero)
    if reponse:
        return reponse
    form = ReactivationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            d = services.reactiver(d, request.user, guichet, form.cleaned_data["commentaire"])
        except ErreurMetier as e:
            messages.error(request, e.message)
        else:
            messages.success(
                request,
                f"Demande réactivée avec son numéro et son ancienneté ; elle expire le "
                f"{d.date_expiration:%d/%m/%Y}.",
            )
        return redirect(_vers_demande(d.numero_unique))
    return render(
        request,
        "demandes/confirmation.html",
        {
            "title": f"Réactiver la demande {d.numero_unique}",
            "d": d,
            "action": "reactiver",
            "form": form,
            "fin_reactivation": services.fin_fenetre_reactivation(d),
            "guichet": guichet,
        },
    )


@require_http_methods(["GET", "POST"])
@habilite_requis
def dupliquer(request, numero):
    d, guichet, reponse = _pour_agir(request, numero)
    if reponse:
        return reponse
    if request.method == "POST":
        try:
            nouvelle_demande = services.dupliquer_pour_separation(d, request.user, guichet)
        except ErreurMetier as e:
            messages.error(request, e.message)
            return redirect(_vers_demande(d.numero_unique))
        messages.success(
            request,
            f"Demande {nouvelle_demande.numero_unique} créée pour l'ancien co-demandeur, avec "
            f"l'ancienneté de la demande {d.numero_unique} (dépôt le "
            f"{nouvelle_demande.date_depot:%d/%m/%Y}).",
        )
        return redirect(_vers_demande(nouvelle_demande.numero_unique))
    d = _demande_complete(d.pk)
    return render(
        request,
        "demandes/confirmation.html",
        {
            "title": f"Dupliquer la demande {d.numero_unique} pour séparation",
            "d": d,
            "action": "dupliquer",
            "possible": services.peut_dupliquer_pour_separation(d),
            "co": d.co_demandeur,
            "guichet": guichet,
        },
    )


# --- Modification ----------------------------------------------------------------------------

CHAMPS_DEMANDEUR = (
    "email",
    "telephone",
    "adresse_ligne1",
    "adresse_ligne2",
    "code_postal",
    "situation_familiale",
    "situation_professionnelle",
    "employeur",
    "revenus_mensuels",
    "piece_identite_type",
    "piece_identite_numero",
    "piece_identite_expiration",
)
CHAMPS_NULS = {"revenus_mensuels", "piece_identite_expiration"}  # the others are "" when empty
CHAMPS_DEMANDE = (
    "nombre_personnes",
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
)


def _initial_modification(d: Demande) -> tuple[dict, int]:
    demandeur = d.demandeur
    initial = {c: getattr(d, c) for c in CHAMPS_DEMANDE}
    initial["deja_locataire_hlm"] = "oui" if d.deja_locataire_hlm else "non"
    if demandeur:
        initial.update({c: getattr(demandeur, c) for c in CHAMPS_DEMANDEUR})
        initial["commune"] = demandeur.commune_id or ""
    communes = [c.commune_id for c in d.communes_souhaitees.all()]
    for i, code in enumerate(communes, 1):
        initial[f"commune_{i}"] = code
    return initial, max(len(communes) + 1, COMMUNES_AFFICHEES)


@require_http_methods(["GET", "POST"])
@habilite_requis
def modifier(request, numero):
    trouvee, guichet, reponse = _pour_agir(request, numero)
    if reponse:
        return reponse
    d = _demande_complete(trouvee.pk)
    if not d.est_active:
        messages.error(
            request,
            f"La demande {d.numero_unique} est radiée : elle n'est plus modifiable. "
            "Réactivez-la si la radiation peut encore être levée.",
        )
        return redirect(_vers_demande(d.numero_unique))
    initial, nb_communes = _initial_modification(d)
    if request.method == "POST":
        nb_communes = _entier(
            request.POST.get("nb_communes"), nb_communes, services.LIMITE_COMMUNES_SOUHAITEES
        )
        if request.POST.get("action") == "ajouter_commune":
            nb_communes += 1
    nb_communes = max(1, min(nb_communes, services.LIMITE_COMMUNES_SOUHAITEES))
    form = ModificationForm(
        request.POST or None,
        initial=initial,
        departement=d.departement_id,
        nb_communes=nb_communes,
    )
    ajout = request.POST.get("action") == "ajouter_commune"
    if request.method == "POST" and not ajout:
        if form.is_valid() and _enregistrer_modification(request, d, guichet, form):
            return redirect(_vers_demande(d.numero_unique))
    elif ajout:
        _sans_erreurs({"form": form})
        form.fields[form.noms_communes[-1]].widget.attrs["autofocus"] = True
    else:
        services.consulter(d, request.user, guichet)
    return render(
        request,
        "demandes/modifier.html",
        {
            "title": f"Modifier la demande {d.numero_unique}",
            "d": d,
            "form": form,
            "nb_communes": nb_communes,
            "nb_communes_max": services.LIMITE_COMMUNES_SOUHAITEES,
            "peut_dupliquer": services.peut_dupliquer_pour_separation(d),
            "resume_erreurs": resume_erreurs(form),
        },
    )


def _enregistrer_modification(request, d: Demande, guichet, form) -> bool:
    """Call `modifier_demande` with the form's values; its refusals go on the form."""
    donnees = form.cleaned_data
    valeurs_demande = {c: donnees[c] for c in CHAMPS_DEMANDE}
    valeurs_demande["deja_locataire_hlm"] = donnees["deja_locataire_hlm"] == "oui"
    for champ in ("logement_actuel", "categorie_logement"):
        valeurs_demande[champ] = valeurs_demande[champ] or ""
    for champ in ("bailleur_actuel", "motif_precision", "precisions_handicap"):
        valeurs_demande[champ] = valeurs_demande[champ] or ""
    personnes = {}
    demandeur = d.demandeur
    if demandeur:
        valeurs = {
            c: "" if donnees[c] is None and c not in CHAMPS_NULS else donnees[c]
            for c in CHAMPS_DEMANDEUR
        }
        valeurs["commune"] = Commune.objects.get(pk=donnees["commune"]["code"])
        if donnees["nir"]:
            valeurs["nir"] = donnees["nir"]
        personnes[demandeur.pk] = valeurs
    communes = [c["code"] for c in donnees["communes"]]
    try:
        changements = services.modifier_demande(
            d,
            request.user,
            guichet,
            demande_valeurs=valeurs_demande,
            personnes=personnes,
            communes=communes,
        )
    except services.DonneesInvalides as e:
        for erreur in e.details.get("erreurs") or [{"champ": "", "message": e.message}]:
            _, champ = localiser_erreur(erreur.get("champ", ""), {"souhaits": donnees})
            form.add_error(champ if champ in form.fields else None, erreur["message"])
        return False
    except ErreurMetier as e:
        form.add_error(None, e.message)
        return False
    except ValidationError as e:
        for message in e.messages:
            form.add_error(None, message)
        return False
    if changements:
        messages.success(
            request,
            "Modifications enregistrées — aucune attestation n'est nécessaire après une "
            "modification (FAQ).",
        )
    else:
        messages.info(request, "Aucune modification à enregistrer.")
    return True


# --- Attestation -----------------------------------------------------------------------------


@require_GET
@habilite_requis
def attestation(request, numero):
    """The last attestation sent, as a PDF; « en préparation » while it is being produced.

    The attestations module (`sne.attestations.services`) is imported here, lazily: the demande
    page works without it."""
    d, reponse = _demande_visible(request, numero)
    if reponse:
        return reponse
    try:
        from sne.attestations import services as attestations
    except ImportError:
        attestations = None
    derniere = getattr(attestations, "derniere_attestation", None)
    piece = derniere(d) if derniere else None
    if piece is None or not piece.fichier:
        messages.info(
            request,
            "L'attestation est en préparation : elle sera disponible dans quelques instants. "
            "Elle est aussi envoyée au demandeur.",
        )
        return redirect(_vers_demande(d.numero_unique))
    guichet = guichet_agissant(request.user, d) or _guichet_de_consultation(request.user, d)
    pdf_pour_agent = getattr(attestations, "pdf_pour_agent", None)
    if pdf_pour_agent is not None:
        try:
            nom, contenu = pdf_pour_agent(piece, request.user, guichet)
        except ErreurMetier as e:
            messages.error(request, e.message)
            return redirect(_vers_demande(d.numero_unique))
        reponse = HttpResponse(contenu, content_type="application/pdf")
        reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
        return reponse
    journaliser(
        EvenementAudit.Action.EXPORT,
        utilisateur=request.user,
        guichet=guichet,
        objet=d,
        resume=f"Téléchargement de l'attestation de la demande {d.numero_unique}",
        details={"attestation": piece.pk, "type": piece.type},
        adresse_ip=adresse_ip(request),
    )
    return FileResponse(
        piece.fichier.open("rb"),
        as_attachment=True,
        filename=f"attestation-{d.numero_unique}.pdf",
        content_type="application/pdf",
    )
