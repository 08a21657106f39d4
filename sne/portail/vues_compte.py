"""The applicant's login and own pages (FAQ « Portail Grand Public »; issue 13): thin views over
`services_compte`. Every form posts then redirects (POST-redirect-GET: a page reloaded sends
nothing twice); every page that shows the demande is audited and never cached (the portal's
session middleware); `?suivant=` only leads to a page of the portal."""

import posixpath
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from sne.attributions.services import parcours_du_demandeur
from sne.attributions.services_cotation import cotation_actuelle, grille_en_vigueur
from sne.audit.services import adresse_ip
from sne.demandes.models import Demande
from sne.demandes.regles import ModificationConcurrente
from sne.demandes.views.fiche import lignes_historique
from sne.exceptions import ErreurMetier, Introuvable
from sne.formulaires import erreur_sur_formulaire, resume_erreurs
from sne.referentiels.models import Commune

from . import services_compte as services
from .commun import guichet_du_portail
from .forms_compte import (
    ConnexionForm,
    CoordonneesForm,
    DemandeCodeForm,
    NouvelEmailForm,
    RenoncerForm,
    RessourcesForm,
    SituationForm,
    SouhaitsForm,
)
from .session import PREFIXE, demandeur_requis, fermer_session, ouvrir_session

CLE_A_CONFIRMER = "email_a_confirmer"
CLE_LIEN_ENVOYE = "lien_envoye"
CLE_CODE_ENVOYE = "code_envoye"
CLE_SUIVANT = "suivant"


def _ip(request) -> str | None:
    return adresse_ip(request)


def suivant_sur(valeur: str | None) -> str:
    """Where to go after login: a path of the portal only (no open redirect), else the
    applicant's page."""
    defaut = reverse("portail:ma_demande")
    if not valeur or not url_has_allowed_host_and_scheme(valeur, allowed_hosts=None):
        return defaut
    if not valeur.startswith(PREFIXE) or "//" in valeur or "\\" in valeur:
        return defaut
    if posixpath.normpath(valeur).rstrip("/") != valeur.rstrip("/"):
        return defaut  # a « parent » segment would climb out of the portal
    if valeur.startswith(reverse("portail:deconnexion")):
        return defaut
    return valeur


def _page(request, gabarit: str, contexte: dict, *formulaires, status: int = 200, generales=()):
    contexte.setdefault("resume_erreurs", resume_erreurs(*formulaires, generales=generales))
    return render(request, f"portail/compte/{gabarit}", contexte, status=status)


# --- Getting a code, logging in ------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def demander_code(request):
    """« Je n'ai pas de code »: numéro unique, date de naissance, the channel."""
    form = DemandeCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            message = services.demander_code(
                d["numero"], d["date_naissance"], d["canal"], _ip(request)
            )
        except services.TropDeTentatives as e:
            form.add_error(None, e.message)
        else:
            request.portail[CLE_CODE_ENVOYE] = message
            return redirect("portail:code_envoye")
    return _page(request, "demander_code.html", {"form": form}, form)


def code_envoye(request):
    message = request.portail.get(CLE_CODE_ENVOYE)
    if not message:
        return redirect("portail:demander_code")
    return _page(request, "code_envoye.html", {"message": message})


@require_http_methods(["GET", "POST"])
def connexion(request):
    """The FAQ's login: numéro unique, date de naissance, e-mail, code télédemandeur."""
    if request.method == "GET" and request.GET.get("suivant"):
        request.portail[CLE_SUIVANT] = suivant_sur(request.GET["suivant"])
    form = ConnexionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        resultat = services.verifier_connexion(
            d["numero"], d["date_naissance"], d["email"], d["code"], _ip(request)
        )
        if resultat.etat == services.Connexion.CONNECTE:
            suivant = request.portail.get(CLE_SUIVANT)
            ouvrir_session(request, resultat.demande)
            return redirect(suivant_sur(suivant))
        if resultat.etat == services.Connexion.EMAIL_A_CONFIRMER:
            request.portail[CLE_A_CONFIRMER] = {
                "demande": resultat.demande.pk,
                "email": resultat.email,
                "le": timezone.now().isoformat(),
            }
            return redirect("portail:confirmer_email")
        if resultat.etat == services.Connexion.LIEN_ENVOYE:
            request.portail[CLE_LIEN_ENVOYE] = resultat.email
            return redirect("portail:lien_envoye")
        form.add_error(None, resultat.message)
    # `suivant`: where the FranceConnect button leads back too (portail/franceconnect/).
    suivant = request.portail.get(CLE_SUIVANT, "")
    return _page(request, "connexion.html", {"form": form, "suivant": suivant}, form)


def _a_confirmer(request):
    """The login checked, waiting for the FAQ's question (10 minutes at most)."""
    attente = request.portail.get(CLE_A_CONFIRMER)
    if not attente:
        return None
    le = datetime.fromisoformat(attente["le"])
    if timezone.now() - le > timedelta(minutes=10):
        request.portail.pop(CLE_A_CONFIRMER, None)
        return None
    return attente


@require_http_methods(["GET", "POST"])
def confirmer_email(request):
    """« L'adresse électronique renseignée diffère de celle connue pour ce numéro unique.
    Souhaitez-vous mettre à jour votre adresse électronique ? » (FAQ)."""
    attente = _a_confirmer(request)
    if attente is None:
        messages.info(request, "Saisissez à nouveau vos informations de connexion.")
        return redirect("portail:connexion")
    erreur = ""
    if request.method == "POST":
        reponse = request.POST.get("reponse")
        if reponse == "non":
            request.portail.pop(CLE_A_CONFIRMER, None)
            return redirect("portail:email_non_modifie")
        if reponse == "oui":
            demande = Demande.objects.prefetch_related("personnes").get(pk=attente["demande"])
            try:
                services.envoyer_lien_activation(demande, attente["email"])
            except ErreurMetier as e:
                erreur = e.message
            else:
                request.portail.pop(CLE_A_CONFIRMER, None)
                request.portail[CLE_LIEN_ENVOYE] = attente["email"]
                return redirect("portail:lien_envoye")
        else:
            erreur = "Répondez « Oui » ou « Non »."
    return _page(
        request,
        "confirmer_email.html",
        {"question": services.QUESTION_EMAIL, "email": attente["email"]},
        generales=[erreur] if erreur else [],
    )


def email_non_modifie(request):
    return _page(request, "email_non_modifie.html", {})


def lien_envoye(request):
    email = request.portail.get(CLE_LIEN_ENVOYE)
    if not email:
        return redirect("portail:connexion")
    return _page(request, "lien_envoye.html", {"email": email})


@require_http_methods(["GET", "POST"])
def activation(request, jeton):
    """The activation link of the e-mail: a page with a button (a link opened by a mail
    scanner does not use it up), then the address is activated and the applicant signed in."""
    if request.method == "GET":
        return _page(request, "activation.html", {})
    try:
        demande = services.activer(jeton)
    except services.LienInvalide as e:
        return _page(request, "lien_invalide.html", {"erreur": e}, status=410)
    ouvrir_session(request, demande)
    messages.success(request, "Votre adresse électronique est activée. Vous êtes connecté.")
    return redirect("portail:ma_demande")


@require_POST
def deconnexion(request):
    fermer_session(request)
    return redirect("portail:accueil")


# --- The signed-in applicant -----------------------------------------------------------------


def _anciennete(depot: date, aujourd_hui: date) -> str:
    mois = (aujourd_hui.year - depot.year) * 12 + aujourd_hui.month - depot.month
    if aujourd_hui.day < depot.day:
        mois -= 1
    mois = max(mois, 0)
    ans, reste = divmod(mois, 12)
    morceaux = []
    if ans:
        morceaux.append(f"{ans} an{'s' if ans > 1 else ''}")
    if reste or not ans:
        morceaux.append(f"{reste} mois")
    return " et ".join(morceaux)


def _historique(demande):
    portail = guichet_du_portail(demande.departement_id)
    entrees = demande.historique.select_related("utilisateur", "guichet").order_by(
        "-horodatage", "-pk"
    )
    lignes = lignes_historique(entrees)
    for ligne in lignes:
        h = ligne["entree"]
        if h.guichet_id == portail.pk:
            ligne["qui"] = "Vous, en ligne"
        elif h.guichet_id:
            ligne["qui"] = h.guichet.nom  # a desk, never the agent's name
        else:
            ligne["qui"] = "Traitement automatique"
    return lignes


@never_cache
@demandeur_requis
def ma_demande(request):
    d = request.demande
    aujourd_hui = timezone.localdate()
    services.lire_ma_demande(d)
    # A struck-off demande has no points, even before the recomputation removes its score.
    cotation = cotation_actuelle(d) if d.est_active else None
    contexte = {
        "d": d,
        "demandeur": d.demandeur,
        "personnes": list(d.personnes.all()),
        "communes": list(d.communes_souhaitees.select_related("commune").order_by("rang")),
        "anciennete": _anciennete(d.date_depot, aujourd_hui),
        "ouverture_renouvellement": services.ouverture_renouvellement(d),
        "peut_renouveler": services.peut_renouveler(d),
        "historique": _historique(d),
        "messages_envoyes": list(services.messages_envoyes(d)),
        "attestations": list(services.attestations_de(d)),
        # Their own score only: never another applicant's, nor their place among them.
        "cotation": cotation,
        "grille": cotation.grille if cotation else grille_en_vigueur(d.departement_id),
        "parcours": parcours_du_demandeur(d),
    }
    return _page(request, "ma_demande.html", contexte)


@never_cache
@demandeur_requis
def attestation(request, pk):
    try:
        nom, contenu = services.telecharger_attestation(request.demande, pk)
    except Introuvable as e:
        raise Http404(e.message) from e
    reponse = HttpResponse(contenu, content_type="application/pdf")
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    return reponse


def _lecture_seule(request):
    if not request.demande.est_active:
        messages.error(
            request,
            "Votre demande est radiée : vous pouvez la consulter, mais plus la modifier.",
        )
        return redirect("portail:ma_demande")
    return None


@require_http_methods(["GET", "POST"])
@demandeur_requis
def renouveler(request):
    d = request.demande
    if request.method == "POST":
        try:
            services.renouveler_en_ligne(d)
        except ErreurMetier as e:
            messages.error(request, e.message)
            return redirect("portail:renouveler")
        messages.success(
            request,
            "Votre demande est renouvelée pour un an. Votre attestation de renouvellement vous "
            "est envoyée ; vous la retrouverez aussi sur cette page.",
        )
        return redirect("portail:ma_demande")
    services.lire_ma_demande(d, "Page de renouvellement en ligne")
    return _page(
        request,
        "renouveler.html",
        {
            "d": d,
            "peut_renouveler": services.peut_renouveler(d),
            "ouverture": services.ouverture_renouvellement(d),
        },
    )


@demandeur_requis
def modifier(request):
    """What the applicant may change online, one subject per page."""
    if (refus := _lecture_seule(request)) is not None:
        return refus
    return _page(request, "modifier.html", {"d": request.demande})


def _valeurs_personne(donnees: dict, champs) -> dict:
    valeurs = {}
    for champ in champs:
        valeur = donnees.get(champ)
        if champ == "commune":
            valeur = Commune.objects.get(pk=valeur["code"]) if valeur else None
        elif champ == "revenus_mensuels":
            valeur = valeur if valeur not in ("", None) else None
        else:
            valeur = valeur or ""
        valeurs[champ] = valeur
    return valeurs


SECTIONS = {
    "coordonnees": ("Mon téléphone et mon adresse", CoordonneesForm),
    "situation": ("Ma situation", SituationForm),
    "ressources": ("Mes ressources et mon logement actuel", RessourcesForm),
    "souhaits": ("Mes souhaits de logement", SouhaitsForm),
}


def _initial(d, section: str) -> dict:
    p = d.demandeur
    if section == "coordonnees":
        return {
            "telephone": p.telephone,
            "adresse_ligne1": p.adresse_ligne1,
            "adresse_ligne2": p.adresse_ligne2,
            "code_postal": p.code_postal,
            "commune": p.commune_id or "",
        }
    if section == "situation":
        return {
            "situation_familiale": p.situation_familiale,
            "situation_professionnelle": p.situation_professionnelle,
            "employeur": p.employeur,
            "revenus_mensuels": p.revenus_mensuels,
        }
    champs = RessourcesForm.base_fields if section == "ressources" else SouhaitsForm.base_fields
    initial = {c: getattr(d, c) for c in champs if hasattr(d, c)}
    if section == "ressources":
        initial["deja_locataire_hlm"] = "oui" if d.deja_locataire_hlm else "non"
    else:
        codes = list(d.communes_souhaitees.order_by("rang").values_list("commune_id", flat=True))
        for i, code in enumerate(codes, start=1):
            initial[f"commune_{i}"] = code
    return initial


def _formulaire(section: str, d, data=None):
    classe = SECTIONS[section][1]
    kwargs = {"initial": _initial(d, section)}
    if section == "souhaits":
        nb = max(d.communes_souhaitees.count() + 1, 3)
        kwargs.update(departement=d.departement_id, nb_communes=nb)
    return classe(data, **kwargs)


@require_http_methods(["GET", "POST"])
@demandeur_requis
def modifier_section(request, section):
    if section not in SECTIONS:
        raise Http404("Cette page n'existe pas.")
    if (refus := _lecture_seule(request)) is not None:
        return refus
    d = request.demande
    form = _formulaire(section, d, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        donnees = form.cleaned_data
        arguments = {"version": _version(request)}
        if section in ("coordonnees", "situation"):
            arguments["personne"] = _valeurs_personne(donnees, SECTIONS[section][1].base_fields)
        elif section == "ressources":
            valeurs = {c: donnees[c] for c in RessourcesForm.base_fields}
            valeurs["deja_locataire_hlm"] = donnees["deja_locataire_hlm"] == "oui"
            for champ in ("logement_actuel", "bailleur_actuel", "motif_precision"):
                valeurs[champ] = valeurs[champ] or ""
            arguments["demande_valeurs"] = valeurs
        else:
            valeurs = {
                c: donnees[c] for c in SouhaitsForm.base_fields if not c.startswith("commune_")
            }
            for champ in ("categorie_logement", "precisions_handicap"):
                valeurs[champ] = valeurs[champ] or ""
            arguments["demande_valeurs"] = valeurs
            arguments["communes"] = [c["code"] for c in donnees["communes"]]
        try:
            changements = services.modifier_en_ligne(d, **arguments)
        except ModificationConcurrente:
            messages.error(
                request,
                "Votre demande a changé entre-temps (un guichet l'a peut-être modifiée) : "
                "voici ses informations à jour. Refaites votre modification.",
            )
            return redirect("portail:modifier_section", section=section)
        except ErreurMetier as e:
            erreur_sur_formulaire(form, e)
        else:
            messages.success(
                request,
                "Vos modifications sont enregistrées."
                if changements
                else "Aucune modification à enregistrer.",
            )
            return redirect("portail:ma_demande")
    services.lire_ma_demande(d, "Page de modification en ligne")
    return _page(
        request,
        "modifier_section.html",
        {"d": d, "form": form, "titre": SECTIONS[section][0], "section": section},
        form,
    )


def _version(request):
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@require_http_methods(["GET", "POST"])
@demandeur_requis
def modifier_email(request):
    """A new e-mail address: proved by the activation link before it replaces the known one."""
    if (refus := _lecture_seule(request)) is not None:
        return refus
    form = NouvelEmailForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.envoyer_lien_activation(request.demande, form.cleaned_data["email"])
        except ErreurMetier as e:
            erreur_sur_formulaire(form, e)
        else:
            request.portail[CLE_LIEN_ENVOYE] = form.cleaned_data["email"]
            return redirect("portail:lien_envoye")
    return _page(request, "modifier_email.html", {"form": form}, form)


@require_http_methods(["GET", "POST"])
@demandeur_requis
def renoncer(request):
    """Giving up the demande (radiation for renonciation), after an explicit confirmation."""
    if (refus := _lecture_seule(request)) is not None:
        return refus
    form = RenoncerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.renoncer(request.demande)
        except ErreurMetier as e:
            messages.error(request, e.message)
        else:
            messages.success(
                request,
                "Votre demande est radiée à votre demande. Vous pouvez encore la consulter ici.",
            )
        return redirect("portail:ma_demande")
    return _page(request, "renoncer.html", {"d": request.demande, "form": form}, form)
