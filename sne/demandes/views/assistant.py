"""Step-by-step registration of a demande (CERFA 14069): guichet, demandeur, ménage,
ressources, souhaits, the duplicate search, then the summary where the demande is registered.

Each step is validated by its form; the registration itself (last step) by the service, whose
errors are taken back to the steps that hold them (`entree.localiser_erreur`)."""

from datetime import date
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from pydantic import ValidationError as ErreursSchema

from sne.comptes.decorateurs import habilite_requis
from sne.exceptions import ErreurMetier
from sne.formulaires import resume_erreurs

from .. import regles, services
from ..forms.assistant import LIMITE_JUSTIFICATION, MAX_PERSONNES_A_CHARGE, EtapeDoublonsForm
from ..models import Demande
from ..regles import LIMITE_COMMUNES_SOUHAITEES, MESSAGE_SUSPICION_DOUBLON
from ..schemas import DemandeEntree
from ..services.brouillons import DUREE_BROUILLON
from .commun import entier, exiger_guichets_saisie, sans_erreurs
from .entree import construire_entree, erreurs_schema, localiser_erreur
from .etat_assistant import (
    SLUGS,
    TITRES,
    EtatAssistant,
    formulaires_etape,
    noms_des_champs,
    propres,
    valides,
)
from .recapitulatif import recapitulatif


@require_GET
@habilite_requis
def nouvelle(request):
    """Start a registration: a new wizard, kept as a draft of this agent under its own id (so
    that two tabs can each register a demande, and nothing typed is lost if the agent leaves:
    see `etat_assistant`). None of the agent's desks set up: why, instead of the wizard."""
    guichets = exiger_guichets_saisie(request.user)
    if not _parametres(guichets):
        return _guichets_non_parametres(request, guichets)
    try:
        etat = EtatAssistant.nouveau(request.user)
    except ErreurMetier as e:
        messages.error(request, e.message)
        return redirect("demandes:recherche")
    return redirect(etat.url(SLUGS[0]))


def _parametres(guichets: list) -> list:
    """The desks an agent may register for now: those whose set-up is finalised (the others
    are refused by the service too, `regles.exiger_guichet_parametre`)."""
    return [g for g in guichets if g.est_parametre]


def _guichets_non_parametres(request, guichets):
    """Instead of the wizard: why none of the agent's desks registers yet, what is missing and
    whom to contact (the rule's own message), with a way to write to the gestionnaire."""
    refus = []
    for guichet in guichets:
        try:
            regles.exiger_guichet_parametre(guichet)
        except regles.GuichetNonParametre as e:
            refus.append({**e.details, "guichet": guichet, "message": e.message})
    return render(
        request,
        "demandes/guichet_non_parametre.html",
        {"title": "Nouvelle demande : paramétrage du guichet à terminer", "refus": refus},
    )


@require_http_methods(["GET", "POST"])
@habilite_requis
def abandonner(request, assistant):
    """Abandon a registration in progress, after confirmation: what was typed is erased."""
    etat = EtatAssistant.charger(request.user, assistant)
    if etat is None:
        messages.info(request, "Cette saisie n'est plus en cours : rien à abandonner.")
        return redirect("demandes:recherche")
    nom = etat.nom_saisi
    if request.method == "POST":
        services.abandonner_saisie(request.user, etat.id)
        messages.success(
            request,
            f"La saisie{f' de {nom}' if nom else ''} est abandonnée : ce qui avait été saisi est "
            "effacé.",
        )
        return redirect("demandes:recherche")
    return render(
        request,
        "demandes/abandonner_saisie.html",
        {
            "title": "Abandonner une saisie en cours",
            "nom": nom,
            "reprendre": etat.url(etat.premiere_a_faire()),
            "brouillon": etat.brouillon,
        },
    )


@require_http_methods(["GET", "POST"])
@habilite_requis
def assistant(request, assistant, etape):
    """One step of the registration."""
    if etape not in SLUGS:
        raise Http404
    guichets = exiger_guichets_saisie(request.user)
    if not _parametres(guichets):
        return _guichets_non_parametres(request, guichets)
    etat = EtatAssistant.charger(request.user, assistant, _parametres(guichets))
    if etat is None:
        messages.info(
            request,
            "Cette saisie n'est plus en cours (demande déjà enregistrée, saisie abandonnée, ou "
            f"laissée sans modification plus de {DUREE_BROUILLON.days} jours) : retrouvez vos "
            "saisies en cours ci-dessous, ou commencez-en une nouvelle.",
        )
        return redirect("demandes:recherche")
    a_faire = etat.premiere_a_faire()
    if SLUGS.index(etape) > SLUGS.index(a_faire):
        return redirect(etat.url(a_faire))
    if etape == "doublons":
        return _etape_doublons(request, etat)
    if etape == "recapitulatif":
        return _etape_recapitulatif(request, etat)

    generales = []
    if request.method == "POST":
        action = request.POST.get("action", "suivant")
        data = request.POST.copy()
        if etape == "demandeur" and not data.get("nir") and etat.valeur("demandeur", "nir"):
            data["nir"] = etat.valeur("demandeur", "nir")  # kept, never displayed again
        if action == "ajouter_personne" and etape == "menage":
            total = entier(data.get("personnes-TOTAL_FORMS"), 0, MAX_PERSONNES_A_CHARGE)
            etat.nb_personnes = min(total + 1, MAX_PERSONNES_A_CHARGE)
            data["personnes-TOTAL_FORMS"] = str(etat.nb_personnes)
            etat.sauver()
            formulaires = sans_erreurs(formulaires_etape(etat, etape, data))
            return _rendre_etape(request, etat, etape, formulaires, focus="personnes")
        if action == "ajouter_commune" and etape == "souhaits":
            etat.nb_communes = min(etat.nb_communes + 1, LIMITE_COMMUNES_SOUHAITEES)
            etat.sauver()
            formulaires = sans_erreurs(formulaires_etape(etat, etape, data))
            return _rendre_etape(request, etat, etape, formulaires, focus="communes")
        formulaires = formulaires_etape(etat, etape, data)
        if valides(formulaires):
            etat.retenir(etape, data, noms_des_champs(formulaires))
            etat.erreurs.pop(etape, None)
            if etape in ("demandeur", "menage"):
                etat.etapes.pop("doublons", None)  # the duplicate search must run again
            if etape == "menage":
                etat.nb_personnes = entier(
                    data.get("personnes-TOTAL_FORMS"), 1, MAX_PERSONNES_A_CHARGE
                )
            etat.sauver()
            return redirect(etat.url(etat.premiere_a_faire()))
    else:
        formulaires = formulaires_etape(etat, etape, etat.donnees_etape(etape))
        if etape in etat.etapes:
            valides(formulaires)
            generales = _appliquer_erreurs(formulaires, etat.erreurs.get(etape, []))
    return _rendre_etape(request, etat, etape, formulaires, generales=generales)


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


def _contexte_etape(etat: EtatAssistant, etape: str) -> dict:
    i = SLUGS.index(etape)
    return {
        "title": f"Nouvelle demande — {TITRES[etape]}",
        "assistant": etat.id,
        "duree_saisie": DUREE_BROUILLON.days,
        "etape": etape,
        "numero_etape": i + 1,
        "nb_etapes": len(SLUGS),
        "titre_etape": TITRES[etape],
        "titre_suivante": TITRES[SLUGS[i + 1]] if i + 1 < len(SLUGS) else "",
        "precedente": etat.url(SLUGS[i - 1]) if i else "",
        "etapes_faites": [
            {"slug": s, "titre": TITRES[s], "url": etat.url(s)}
            for s in SLUGS[:-1]
            if s in etat.etapes
        ],
    }


def _rendre_etape(request, etat, etape, formulaires, generales=(), focus=""):
    contexte = _contexte_etape(etat, etape)
    contexte.update(formulaires)
    contexte["erreurs_generales"] = list(generales)
    contexte["resume_erreurs"] = resume_erreurs(*formulaires.values(), generales=generales)
    # After « Ajouter … », the focus goes to the new line (keyboard and screen reader users).
    if focus == "personnes" and formulaires["personnes"].forms:
        formulaires["personnes"].forms[-1].fields["nom"].widget.attrs["autofocus"] = True
    elif focus == "communes":
        form = formulaires["form"]
        form.fields[form.noms_communes[-1]].widget.attrs["autofocus"] = True
    contexte["nb_communes_max"] = LIMITE_COMMUNES_SOUHAITEES
    contexte["nb_personnes_max"] = MAX_PERSONNES_A_CHARGE
    return render(request, f"demandes/etapes/{etape}.html", contexte)


# --- Duplicate search ------------------------------------------------------------------------


def _suspicions(request, donnees: dict) -> list[dict]:
    """Duplicate search for the demandeur and the co-demandeur, nationally and whatever the
    desk's scope; each suspicion says whether this person may open it."""
    d, m = donnees["demandeur"], donnees["menage"]
    trouvees = services.rechercher_doublons(
        d["nom"],
        d["prenom"],
        d["date_naissance"],
        nom_naissance=d.get("nom_naissance") or "",
        civilite=d.get("civilite") or "",
        nir=d.get("nir") or "",
        piece_identite_numero=d.get("piece_identite_numero") or "",
        email=d.get("email") or "",
        telephone=d.get("telephone") or "",
    )
    if donnees.get("a_co_demandeur") and m.get("co_nom"):
        trouvees += services.rechercher_doublons(
            m["co_nom"],
            m["co_prenom"],
            m.get("co_date_naissance"),
            nom_naissance=m.get("co_nom_naissance") or "",
            civilite=m.get("co_civilite") or "",
        )
    trouvees.sort(key=lambda s: -s.score)
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


def _vers_le_gestionnaire(etat: EtatAssistant, donnees: dict, suspicions: list[dict]) -> str:
    """The request form to the gestionnaire territorial (FAQ « je ne vois pas la demande
    suspectée en doublon » : « Surtout, ne forcez pas la création de la demande ! Contactez-
    nous »), prefilled with the desk and département of this registration, the numéros
    uniques suspected and the names typed — what the duplicate step already showed, and no
    more: no birth date (the numéro unique designates the demande), nothing of the suspected
    demandes beyond their numéro — and the way back to this step (`retour`). The address is
    built here, by name: `sne.organisations` (below) knows nothing of the wizard."""
    guichet = donnees["guichet"]
    parametres = [
        ("objet", "doublon"),
        ("guichet", guichet["guichet"]),
        ("departement", guichet["departement"]),
        *(("numero", s["numero_unique"]) for s in suspicions),
        ("nom", f"{donnees['demandeur']['prenom']} {donnees['demandeur']['nom'].upper()}"),
    ]
    if donnees.get("a_co_demandeur"):
        m = donnees["menage"]
        parametres.append(("nom", f"{m['co_prenom']} {m['co_nom'].upper()}"))
    parametres.append(("retour", etat.url("doublons")))
    return f"{reverse('departement:mes_demandes')}?{urlencode(parametres)}"


def _etape_doublons(request, etat: EtatAssistant):
    donnees, invalide = propres(etat)
    if invalide:
        return redirect(etat.url(invalide))
    suspicions = _suspicions(request, donnees)
    if request.method == "POST" and request.POST.get("action") == "contacter_gestionnaire":
        # Leaving for the gestionnaire's form: a justification already typed waits here.
        etat.justification_en_cours = request.POST.get("justification", "")[:LIMITE_JUSTIFICATION]
        etat.etapes.pop("doublons", None)  # to be decided again, with the answer
        etat.sauver()
        return redirect(_vers_le_gestionnaire(etat, donnees, suspicions))
    data = request.POST if request.method == "POST" else etat.donnees_etape("doublons")
    form = EtapeDoublonsForm(
        data, exige=bool(suspicions), initial={"justification": etat.justification_en_cours}
    )
    generales = []
    if request.method == "POST" and form.is_valid():
        etat.retenir("doublons", request.POST, noms_des_champs({"form": form}))
        etat.suspicions = [s["numero_unique"] for s in suspicions]
        etat.erreurs.pop("doublons", None)
        etat.donnees.pop("justification_en_cours", None)
        etat.sauver()
        return redirect(etat.url(etat.premiere_a_faire()))
    if request.method == "GET":
        if form.is_bound:
            form.is_valid()
        generales = [m for _, m in etat.erreurs.get("doublons", [])]
    contexte = _contexte_etape(etat, "doublons")
    contexte.update(
        {
            "form": form,
            "suspicions": suspicions,
            "erreurs_generales": generales,
            "resume_erreurs": resume_erreurs(form, generales=generales),
            "demandeur": donnees["demandeur"],
            "co": donnees["menage"] if donnees.get("a_co_demandeur") else None,
        }
    )
    return render(request, "demandes/etapes/doublons.html", contexte)


# --- Summary and registration ----------------------------------------------------------------


def _renvoyer_aux_etapes(request, etat: EtatAssistant, donnees, erreurs: list[dict]):
    """Put the service's errors back on the steps that hold them; go to the first one."""
    etat.donnees["erreurs"] = {}
    for erreur in erreurs:
        etape, champ = localiser_erreur(erreur.get("champ", ""), donnees)
        etat.erreurs.setdefault(etape, []).append([champ, erreur["message"]])
    etat.sauver()
    premiere = min(etat.erreurs, key=SLUGS.index)
    messages.error(
        request,
        "La demande n'a pas été enregistrée : corrigez "
        + ("l'erreur signalée." if len(erreurs) == 1 else "les erreurs signalées."),
    )
    return redirect(etat.url(premiere))


def _etape_recapitulatif(request, etat: EtatAssistant):
    donnees, invalide = propres(etat)
    if invalide:
        return redirect(etat.url(invalide))
    justification = etat.valeur("doublons", "justification")
    generales = [m for _, m in etat.erreurs.pop("recapitulatif", [])]
    if generales:
        etat.sauver()  # shown once
    if request.method == "POST":
        guichet = next(
            (g for g in etat.guichets if str(g.pk) == donnees["guichet"]["guichet"]), None
        )
        if guichet is None:
            return redirect(etat.url("guichet"))
        try:
            entree = DemandeEntree.model_validate(construire_entree(donnees))
            demande = services.enregistrer_demande(
                guichet,
                request.user,
                entree,
                justification_forcage=justification or None,
                jeton=f"assistant:{etat.id}",
            )
        except ErreursSchema as e:
            return _renvoyer_aux_etapes(request, etat, donnees, erreurs_schema(e))
        except services.SuspicionDoublon:
            etat.etapes.pop("doublons", None)
            etat.erreurs["doublons"] = [[None, MESSAGE_SUSPICION_DOUBLON]]
            etat.sauver()
            return redirect(etat.url("doublons"))
        except ErreurMetier as e:
            if isinstance(e, services.DonneesInvalides) or e.champ:
                erreurs = e.details.get("erreurs") or [e.en_erreur()]
                return _renvoyer_aux_etapes(request, etat, donnees, erreurs)
            generales = [e.message]
        else:
            etat.terminer()
            messages.success(
                request,
                f"Demande enregistrée : numéro unique {demande.numero_unique}. "
                "L'attestation d'enregistrement est envoyée au demandeur.",
            )
            return redirect("demandes:demande", numero=demande.numero_unique)
    contexte = _contexte_etape(etat, "recapitulatif")
    contexte.update(
        {
            "sections": recapitulatif(etat, donnees),
            "suspicions": etat.suspicions,
            "justification": justification,
            "erreurs_generales": generales,
        }
    )
    return render(request, "demandes/etapes/recapitulatif.html", contexte)
