"""The pages of applying online (issue 13): the e-mail address, the link that opens the draft,
the CERFA's steps, the identity document, the summary, then the numéro unique — or the desks
to contact when a demande may already exist.

The CERFA's steps are the desk's wizard's (`sne.demandes.views.etat_assistant`): the same forms,
the same conversion to `DemandeEntree`, on a draft kept in `DemandeEnLigne.donnees` instead of
a desk's `BrouillonDemande` (`EtatEnLigne`). The draft is found from the portal's session only
(the link put it there): an address never names it."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django.views.decorators.http import require_GET, require_http_methods
from pydantic import ValidationError as ErreursSchema

from sne.demandes.forms.assistant import MAX_PERSONNES_A_CHARGE, EtapeDemandeurForm
from sne.demandes.models import Demande
from sne.demandes.regles import LIMITE_COMMUNES_SOUHAITEES
from sne.demandes.schemas import DemandeEntree
from sne.demandes.services import SuspicionDoublon
from sne.demandes.views.commun import entier, sans_erreurs
from sne.demandes.views.entree import construire_entree, erreurs_schema, localiser_erreur
from sne.demandes.views.etat_assistant import (
    SUFFIXES_DES_WIDGETS,
    EtatAssistant,
    formulaires_etape,
    noms_des_champs,
    propres,
    valides,
)
from sne.demandes.views.recapitulatif import recapitulatif
from sne.exceptions import ErreurMetier
from sne.formulaires import erreur_sur_formulaire, resume_erreurs

from . import services_demande_en_ligne as services
from .commun import cle_ip, guichet_du_portail, noter_tentative, trop_de_tentatives
from .forms_demande_en_ligne import AdresseEmailForm, DepartementForm, PieceIdentiteForm
from .models import DemandeEnLigne
from .session import CLE_DEMANDE, ouvrir_session

CLE_BROUILLON = "demande_en_ligne"

# (address slug, key of the desk's wizard's data, title for the applicant)
ETAPES = [
    ("departement", "guichet", "Votre département"),
    ("demandeur", "demandeur", "Qui êtes-vous ?"),
    ("coordonnees", "demandeur", "Votre adresse et votre situation"),
    ("menage", "menage", "Les personnes qui vivront avec vous"),
    ("ressources", "ressources", "Votre logement et vos ressources"),
    ("souhaits", "souhaits", "Le logement que vous cherchez"),
    ("piece", "piece", "Votre pièce d'identité"),
    ("recapitulatif", "", "Vérifier et envoyer"),
]
SLUGS = [slug for slug, _, _ in ETAPES]
CLES = {slug: cle for slug, cle, _ in ETAPES}
SLUG_DE = {}  # the first screen of each key of the desk's data
for _slug, _cle, _ in ETAPES:
    if _cle:
        SLUG_DE.setdefault(_cle, _slug)
# The desk's demandeur step, on two screens (one topic each), in the desk form's own order:
# identity and identity document, then address, contact and situation; the whole form is
# validated once both are typed.
_ORDRE = EtapeDemandeurForm.field_order
ECRANS_DEMANDEUR = {
    "demandeur": tuple(_ORDRE[: _ORDRE.index("adresse_ligne1")]),
    "coordonnees": (
        *_ORDRE[_ORDRE.index("adresse_ligne1") :],
        "__all__",  # the address's consistency
    ),
}
TITRES = {slug: titre for slug, _, titre in ETAPES}

# The desk's labels and help, as the applicant reads them (the validation is the forms').
LIBELLES = {
    "civilite": ("Civilité (facultatif)", None),
    "nom": ("Votre nom", "Celui que vous utilisez tous les jours (nom d'usage)."),
    "nom_naissance": ("Votre nom de naissance (facultatif)", "S'il est différent."),
    "prenom": ("Votre prénom", None),
    "date_naissance": ("Votre date de naissance", None),
    "nationalite": ("Votre nationalité (facultatif)", None),
    "piece_identite_type": (
        "Votre pièce d'identité",
        "Elle est obligatoire. Une pièce périmée est acceptée si la photo vous ressemble. "
        "Vous l'enverrez à l'étape « Votre pièce d'identité ».",
    ),
    "piece_identite_numero": ("Numéro de la pièce (facultatif)", None),
    "piece_identite_expiration": ("Date de fin de validité (facultatif)", None),
    "nir": (
        "Numéro de sécurité sociale (facultatif)",
        "15 caractères, sur votre carte Vitale. Il reste caché à l'écran : laissez vide "
        "pour garder celui déjà donné.",
    ),
    "adresse_ligne1": ("Votre adresse (numéro et rue)", None),
    "adresse_ligne2": ("Complément d'adresse (facultatif)", "Bâtiment, étage, chez…"),
    "commune": (
        "Votre commune",
        "Tapez le début du nom ou le code postal, puis choisissez dans la liste.",
    ),
    "email": ("Votre adresse e-mail", "Vous y recevrez votre attestation."),
    "telephone": ("Votre téléphone (facultatif)", None),
    "situation_familiale": ("Votre situation familiale (facultatif)", None),
    "situation_professionnelle": ("Votre situation professionnelle (facultatif)", None),
    "employeur": ("Votre employeur (facultatif)", None),
    "revenus_mensuels": ("Vos revenus par mois, en euros (facultatif)", None),
    "deja_locataire_hlm": ("Êtes-vous déjà locataire d'un logement social (HLM) ?", None),
    "logement_actuel": ("Où habitez-vous aujourd'hui ? (facultatif)", None),
    "loyer_actuel": ("Votre loyer par mois, en euros (facultatif)", None),
    "nombre_pieces_actuel": ("Nombre de pièces de votre logement (facultatif)", None),
    "bailleur_actuel": ("Votre propriétaire ou bailleur (facultatif)", None),
    "revenu_fiscal_reference": (
        "Revenu fiscal de référence du foyer, en euros (facultatif)",
        "Il est écrit sur votre avis d'impôt sur le revenu.",
    ),
    "annee_revenus": ("Année de ces revenus (facultatif)", "Celle écrite sur l'avis d'impôt."),
    "motifs": ("Pourquoi demandez-vous un logement ? (facultatif)", "Cochez tout ce qui compte."),
    "motif_precision": ("Si « autre » : précisez (facultatif)", None),
}


class EtatEnLigne(EtatAssistant):
    """The desk's wizard's state on an online draft: the same data (`etapes`, `erreurs`, the
    rows shown), kept in `DemandeEnLigne.donnees`, on the portal's desk."""

    def __init__(self, brouillon: DemandeEnLigne):
        self.brouillon = brouillon
        self.id = str(brouillon.uuid)
        self.donnees = brouillon.donnees
        for cle, defaut in (("etapes", {}), ("erreurs", {}), ("en_cours", {})):
            if not isinstance(self.donnees.get(cle), dict):
                self.donnees[cle] = defaut
        self.guichets = [guichet_du_portail(self.departement or None)]

    @property
    def en_cours(self) -> dict:
        """What was typed at a step and not validated yet, kept when the applicant left it
        (« Étape précédente », « Enregistrer et continuer plus tard »)."""
        return self.donnees["en_cours"]

    def donnees_en_cours(self, cle: str) -> MultiValueDict:
        return MultiValueDict(self.en_cours[cle])

    def sauver(self, etape: str = "") -> None:
        services.sauver_brouillon(self.brouillon, etape or self.brouillon.etape)

    def faite(self, slug: str) -> bool:
        if slug == "piece":
            return bool(self.brouillon.piece_identite)
        if slug == "demandeur" and slug in self.donnees.get("ecrans_faits", []):
            return True
        return CLES[slug] in self.etapes

    def premiere_a_faire(self) -> str:
        """An address slug (the desk's returns a key of its own wizard)."""
        return next((s for s in SLUGS[:-1] if not self.faite(s)), SLUGS[-1])

    def url(self, etape: str) -> str:
        # `etape` is a key of the desk's data (the summary's links) or an address slug.
        slug = SLUG_DE.get(etape, etape)
        return reverse("portail:demande_en_ligne_etape", kwargs={"etape": slug})


def _brouillon(request) -> DemandeEnLigne | None:
    uuid = request.portail.get(CLE_BROUILLON)
    if not uuid:
        return None
    return DemandeEnLigne.objects.filter(uuid=uuid).select_related("demande").first()


def _brouillon_requis(vue):
    """The draft of the session; else back to the start, saying how to come back."""

    @wraps(vue)
    def _vue(request, *args, **kwargs):
        brouillon = _brouillon(request)
        if brouillon is None:
            messages.info(
                request,
                "Pour continuer votre demande en ligne, ouvrez le lien reçu par e-mail. Vous "
                "n'avez plus le lien ? Demandez-en un nouveau ci-dessous.",
            )
            return redirect("portail:demande_en_ligne_reprendre")
        request.portail.modified = True  # activity extends the session
        return vue(request, brouillon, *args, **kwargs)

    return _vue


def _selon_statut(brouillon: DemandeEnLigne):
    """A draft already sent opens its outcome, never its steps again."""
    if brouillon.statut == DemandeEnLigne.Statut.ENREGISTREE:
        return redirect("portail:demande_en_ligne_envoyee")
    if brouillon.statut == DemandeEnLigne.Statut.A_VOIR_AU_GUICHET:
        return redirect("portail:demande_en_ligne_guichet")
    return None


def _contexte(**contexte):
    return {
        "delai_purge": settings.SNE_PORTAIL_PURGE_BROUILLON_JOURS,
        "validite_lien": settings.SNE_PORTAIL_VALIDITE_LIEN_HEURES,
        **contexte,
    }


# --- The address and its link --------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def commencer(request):
    """Start: the applicant's e-mail address, to which the link that opens the draft goes."""
    return _demander_un_lien(request, services.commencer, "portail/demande_en_ligne/commencer.html")


@require_http_methods(["GET", "POST"])
def reprendre(request):
    """« Reprendre ma demande en ligne »: a new link, the same answer whether a draft exists
    for the address or not."""
    return _demander_un_lien(request, services.reprendre, "portail/demande_en_ligne/reprendre.html")


def _demander_un_lien(request, service, gabarit):
    form = AdresseEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service(form.cleaned_data["email"], cle_ip(request))
        except ErreurMetier as e:
            erreur_sur_formulaire(form, e)
        else:
            request.portail["lien_envoye_a"] = services.normaliser_email(form.cleaned_data["email"])
            return redirect("portail:demande_en_ligne_lien_envoye")
    return render(request, gabarit, _contexte(form=form, resume_erreurs=resume_erreurs(form)))


@require_GET
def lien_envoye(request):
    return render(
        request,
        "portail/demande_en_ligne/lien_envoye.html",
        _contexte(email=request.portail.get("lien_envoye_a", "")),
    )


@require_http_methods(["GET", "POST"])
def ouvrir(request, jeton):
    """The link of the e-mail. Opening it is a button (POST): a mail reader that follows links
    to check them does not spend it."""
    if request.method == "GET":
        return render(request, "portail/demande_en_ligne/ouvrir.html", _contexte())
    ip = cle_ip(request)
    if trop_de_tentatives(services.TYPE_TENTATIVE, ip):
        messages.error(
            request, "Trop d'essais en peu de temps. Attendez une heure, puis réessayez."
        )
        return redirect("portail:demande_en_ligne_reprendre")
    try:
        brouillon = services.ouvrir_par_lien(jeton)
    except services.LienInvalide as e:
        noter_tentative(services.TYPE_TENTATIVE, ip)
        messages.error(request, e.message)
        return redirect("portail:demande_en_ligne_reprendre")
    request.portail.cycle_key()  # a new session key: no fixation
    request.portail[CLE_BROUILLON] = str(brouillon.uuid)
    request.portail.pop("lien_envoye_a", None)
    sortie = _selon_statut(brouillon)
    if sortie is not None:
        return sortie
    etat = EtatEnLigne(brouillon)
    if etat.etapes:
        messages.success(request, "Votre demande est ouverte : vous reprenez là où vous en étiez.")
    return redirect(etat.url(etat.premiere_a_faire()))


# --- The steps -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@_brouillon_requis
def etape(request, brouillon, etape):
    """One step of the application."""
    sortie = _selon_statut(brouillon)
    if sortie is not None:
        return sortie
    etat = EtatEnLigne(brouillon)
    a_faire = etat.premiere_a_faire()
    if etape not in SLUGS:
        messages.info(
            request, f"Cette étape n'existe pas. Vous reprenez à l'étape « {TITRES[a_faire]} »."
        )
        return redirect(etat.url(a_faire))
    if SLUGS.index(etape) > SLUGS.index(a_faire):
        return redirect(etat.url(a_faire))
    if etape == "departement":
        return _etape_departement(request, etat)
    if etape == "piece":
        return _etape_piece(request, etat)
    if etape in ECRANS_DEMANDEUR:
        return _etape_demandeur(request, etat, etape)
    if etape == "recapitulatif":
        return _etape_recapitulatif(request, etat)
    return _etape_formulaire(request, etat, etape)


def _apres(request, etat: EtatEnLigne, etape: str, action: str):
    """Where a step leads once saved."""
    if action == "plus_tard":
        return redirect("portail:demande_en_ligne_plus_tard")
    if action == "precedente" and SLUGS.index(etape) > 0:
        return redirect(etat.url(SLUGS[SLUGS.index(etape) - 1]))
    return redirect(etat.url(etat.premiere_a_faire()))


def _etape_departement(request, etat: EtatEnLigne):
    action = request.POST.get("action", "suivant")
    initial = {"departement": etat.departement}
    form = DepartementForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            code = form.cleaned_data["departement"]
            guichet = guichet_du_portail(code)
            if code != etat.departement:
                # The wished communes depend on the département.
                etat.etapes.pop("souhaits", None)
                etat.en_cours.pop("souhaits", None)
            # The desk's first step, filled for the applicant: the portal's desk, a household,
            # today as the date of deposit.
            etat.etapes["guichet"] = {
                "guichet": [str(guichet.pk)],
                "departement": [code],
                "beneficiaire": [Demande.Beneficiaire.MENAGE],
                "date_depot": [""],
            }
            etat.erreurs.pop("guichet", None)
            etat.sauver("departement")
            return _apres(request, etat, "departement", action)
        if action == "plus_tard":
            return redirect("portail:demande_en_ligne_plus_tard")
    return _rendre(request, etat, "departement", {"form": form})


def _libelles(formulaires: dict) -> dict:
    for objet in formulaires.values():
        for form in getattr(objet, "forms", [objet]):
            for nom, (libelle, aide) in LIBELLES.items():
                if nom in form.fields:
                    # The field, and its bound field the DSFR form may already have built.
                    for objet_champ in (form.fields[nom], form[nom]):
                        objet_champ.label = libelle
                        if aide is not None:
                            objet_champ.help_text = aide
    return formulaires


def _formulaires(etat: EtatEnLigne, etape: str, data) -> dict:
    formulaires = _libelles(formulaires_etape(etat, CLES[etape], data))
    if CLES[etape] == "demandeur" and data is None:
        # The proved address, where the attestation will be sent.
        formulaires["form"].initial.setdefault("email", etat.brouillon.email)
    return formulaires


def _etape_formulaire(request, etat: EtatEnLigne, etape: str):
    """A step of the CERFA: the desk's forms; what is typed is kept even when the applicant
    leaves the step before it is complete."""
    cle = CLES[etape]
    if request.method == "GET":
        if cle in etat.en_cours:
            formulaires = sans_erreurs(_formulaires(etat, etape, etat.donnees_en_cours(cle)))
            generales = []
        else:
            formulaires = _formulaires(etat, etape, etat.donnees_etape(cle))
            generales = []
            if cle in etat.etapes:
                valides(formulaires)
                generales = _appliquer_erreurs(formulaires, etat.erreurs.get(cle, []))
        return _rendre(request, etat, etape, formulaires, generales=generales)

    action = request.POST.get("action", "suivant")
    data = request.POST.copy()
    if etape == "demandeur" and not data.get("nir") and etat.valeur("demandeur", "nir"):
        data["nir"] = etat.valeur("demandeur", "nir")  # kept, never displayed again
    if action == "ajouter_personne" and etape == "menage":
        total = entier(data.get("personnes-TOTAL_FORMS"), 0, MAX_PERSONNES_A_CHARGE)
        etat.nb_personnes = min(total + 1, MAX_PERSONNES_A_CHARGE)
        data["personnes-TOTAL_FORMS"] = str(etat.nb_personnes)
        formulaires = sans_erreurs(_formulaires(etat, etape, data))
        etat.en_cours[cle] = _retenues(data, formulaires)
        etat.sauver(etape)
        return _rendre(request, etat, etape, formulaires, focus="personnes")
    if action == "ajouter_commune" and etape == "souhaits":
        etat.nb_communes = min(etat.nb_communes + 1, LIMITE_COMMUNES_SOUHAITEES)
        formulaires = sans_erreurs(_formulaires(etat, etape, data))
        etat.en_cours[cle] = _retenues(data, formulaires)
        etat.sauver(etape)
        return _rendre(request, etat, etape, formulaires, focus="communes")
    formulaires = _formulaires(etat, etape, data)
    if valides(formulaires):
        etat.retenir(cle, data, noms_des_champs(formulaires))
        etat.erreurs.pop(cle, None)
        etat.en_cours.pop(cle, None)
        if etape == "menage":
            etat.nb_personnes = entier(data.get("personnes-TOTAL_FORMS"), 1, MAX_PERSONNES_A_CHARGE)
        etat.sauver(etape)
        return _apres(request, etat, etape, action)
    if action in ("plus_tard", "precedente"):
        # Not complete yet: kept as typed, the step to finish later.
        etat.en_cours[cle] = _retenues(data, formulaires)
        etat.etapes.pop(cle, None)
        etat.sauver(etape)
        if action == "precedente":
            messages.info(
                request,
                f"Ce que vous avez écrit à l'étape « {TITRES[etape]} » est gardé. Il reste des "
                "informations à corriger ou à compléter à cette étape.",
            )
        return _apres(request, etat, etape, action)
    return _rendre(request, etat, etape, formulaires)


def _ecran_de(champ: str | None) -> str:
    return "coordonnees" if champ in ECRANS_DEMANDEUR["coordonnees"] else "demandeur"


def _seulement(form, ecran: str) -> None:
    """The errors of this screen's fields only (the other screen shows its own)."""
    for nom in list(form.errors):
        if nom not in ECRANS_DEMANDEUR[ecran] and not (nom == "__all__" and ecran == "coordonnees"):
            del form.errors[nom]


def _etape_demandeur(request, etat: EtatEnLigne, etape: str):
    """One of the two screens of the desk's demandeur step: what it posts is merged with what
    the other screen keeps, and the desk's form validates the whole."""
    ici = ECRANS_DEMANDEUR[etape]
    base = etat.en_cours.get("demandeur") or etat.etapes.get("demandeur") or {}
    if request.method == "GET":
        data = MultiValueDict(base) if base else None
        if data is not None and "email" not in data:
            data["email"] = etat.brouillon.email  # the proved address, for the attestation
        formulaires = _formulaires(etat, etape, data)
        generales = []
        if data is not None:
            formulaires["form"].is_valid()
            if "demandeur" in etat.etapes:
                erreurs = [
                    (champ, message)
                    for champ, message in etat.erreurs.get("demandeur", [])
                    if (champ and _ecran_de(champ) == etape) or (not champ and etape == "demandeur")
                ]
                generales = _appliquer_erreurs(formulaires, erreurs)
                _seulement(formulaires["form"], etape)
            else:
                sans_erreurs(formulaires)  # typed, not validated yet
        return _rendre(request, etat, etape, formulaires, generales=generales)

    action = request.POST.get("action", "suivant")
    data = MultiValueDict(base)
    if "email" not in data:
        data["email"] = etat.brouillon.email
    for nom in ici:
        for cle in (nom, *(nom + s for s in SUFFIXES_DES_WIDGETS)):
            data.setlist(cle, request.POST.getlist(cle))
    if etape == "demandeur" and not request.POST.get("nir") and etat.valeur("demandeur", "nir"):
        data["nir"] = etat.valeur("demandeur", "nir")  # kept, never displayed again
    formulaires = _formulaires(etat, etape, data)
    form = formulaires["form"]
    form.is_valid()
    retenues = _retenues(data, formulaires)
    if not any(nom in ici for nom in form.errors) or action in ("plus_tard", "precedente"):
        if not form.errors:
            etat.etapes["demandeur"] = retenues
            etat.erreurs.pop("demandeur", None)
            etat.en_cours.pop("demandeur", None)
        else:
            etat.en_cours["demandeur"] = retenues
            etat.etapes.pop("demandeur", None)
            faits = etat.donnees.setdefault("ecrans_faits", [])
            if not any(nom in ici for nom in form.errors) and etape not in faits:
                faits.append(etape)
            elif any(nom in ici for nom in form.errors) and etape in faits:
                faits.remove(etape)
        etat.sauver(etape)
        if action == "precedente" and any(nom in ici for nom in form.errors):
            messages.info(
                request,
                f"Ce que vous avez écrit à l'étape « {TITRES[etape]} » est gardé. Il reste des "
                "informations à corriger ou à compléter à cette étape.",
            )
        return _apres(request, etat, etape, action)
    _seulement(form, etape)
    return _rendre(request, etat, etape, formulaires)


def _retenues(data, formulaires) -> dict:
    noms = noms_des_champs(formulaires)
    return {k: data.getlist(k) for k in data if k in noms}


def _appliquer_erreurs(formulaires: dict, erreurs: list) -> list[str]:
    """The service's errors stored on the step, on their fields (else above the form)."""
    generales = []
    simples = [f for f in formulaires.values() if not hasattr(f, "forms")]
    for champ, message in erreurs:
        form = next((f for f in simples if champ and champ in f.fields), None)
        if form is not None:
            form.add_error(champ, message)
        else:
            generales.append(message)
    return generales


def _etape_piece(request, etat: EtatEnLigne):
    brouillon = etat.brouillon
    action = request.POST.get("action", "suivant")
    form = PieceIdentiteForm(
        request.POST or None, request.FILES or None, deja_envoyee=bool(brouillon.piece_identite)
    )
    if request.method == "POST":
        if action == "precedente" and not request.FILES:
            return _apres(request, etat, "piece", action)
        if action == "plus_tard" and not request.FILES:
            return redirect("portail:demande_en_ligne_plus_tard")
        if form.is_valid():
            fichier = form.cleaned_data.get("fichier")
            try:
                if fichier:
                    services.deposer_piece_identite(brouillon, fichier)
            except ErreurMetier as e:
                erreur_sur_formulaire(form, e)
            else:
                return _apres(request, etat, "piece", action)
    return _rendre(
        request, etat, "piece", {"form": form, "piece_nom": brouillon.piece_identite_nom}
    )


def _etape_recapitulatif(request, etat: EtatEnLigne):
    donnees, invalide = propres(etat)
    if invalide:
        return redirect(etat.url(invalide))
    if not etat.brouillon.piece_identite:
        return redirect(etat.url("piece"))
    generales = [m for _, m in etat.erreurs.pop("recapitulatif", [])]
    if generales:
        etat.sauver("recapitulatif")  # shown once
    if request.method == "POST":
        if request.POST.get("action") == "plus_tard":
            return redirect("portail:demande_en_ligne_plus_tard")
        try:
            entree = DemandeEntree.model_validate(construire_entree(donnees))
            demande = services.envoyer_demande(etat.brouillon, entree)
        except ErreursSchema as e:
            return _renvoyer_aux_etapes(request, etat, donnees, erreurs_schema(e))
        except SuspicionDoublon:
            return redirect("portail:demande_en_ligne_guichet")
        except ErreurMetier as e:
            if e.details.get("erreurs") or e.champ:
                return _renvoyer_aux_etapes(
                    request, etat, donnees, e.details.get("erreurs") or [e.en_erreur()]
                )
            generales = [e.message]
        else:
            ouvrir_session(request, demande)
            return redirect("portail:demande_en_ligne_envoyee")
    sections = recapitulatif(etat, donnees)
    for section in sections:
        section["titre"] = TITRES[SLUG_DE[section["etape"]]]
        if section["etape"] == "guichet":
            section["lignes"] = [
                (libelle, valeur)
                for libelle, valeur in section["lignes"]
                if libelle.startswith("Département")
            ]
    return _rendre(
        request,
        etat,
        "recapitulatif",
        {"sections": sections, "piece": etat.brouillon},
        generales=generales,
    )


def _renvoyer_aux_etapes(request, etat: EtatEnLigne, donnees, erreurs: list[dict]):
    """The service's errors back on the steps that hold them; to the first one."""
    etat.donnees["erreurs"] = {}
    for erreur in erreurs:
        cle, champ = localiser_erreur(erreur.get("champ", ""), donnees)
        cle = cle if cle in SLUG_DE else "recapitulatif"
        etat.erreurs.setdefault(cle, []).append([champ, erreur["message"]])
    etat.sauver("recapitulatif")
    premiere = min((SLUG_DE.get(c, "recapitulatif") for c in etat.erreurs), key=SLUGS.index)
    if premiere == "demandeur":
        premiere = min(
            (_ecran_de(champ) for champ, _ in etat.erreurs["demandeur"]), key=SLUGS.index
        )
    messages.error(
        request,
        "Votre demande n'est pas encore envoyée : "
        + (
            "une information est à corriger."
            if len(erreurs) == 1
            else "des informations sont à corriger."
        ),
    )
    return redirect(etat.url(premiere))


def _rendre(request, etat: EtatEnLigne, etape: str, formulaires: dict, generales=(), focus=""):
    i = SLUGS.index(etape)
    contexte = _contexte(
        title=TITRES[etape],
        etape=etape,
        numero_etape=i + 1,
        nb_etapes=len(SLUGS),
        titre_etape=TITRES[etape],
        titre_suivante=TITRES[SLUGS[i + 1]] if i + 1 < len(SLUGS) else "",
        precedente=i > 0,
        etapes_faites=[
            {"slug": s, "titre": TITRES[s], "url": etat.url(s)} for s in SLUGS[:-1] if etat.faite(s)
        ],
        nb_communes_max=LIMITE_COMMUNES_SOUHAITEES,
        nb_personnes_max=MAX_PERSONNES_A_CHARGE,
        erreurs_generales=list(generales),
    )
    contexte.update(formulaires)
    formes = [f for k, f in formulaires.items() if k in ("form", "personnes", "association")]
    contexte["resume_erreurs"] = resume_erreurs(*formes, generales=generales)
    if focus == "personnes" and formulaires["personnes"].forms:
        formulaires["personnes"].forms[-1].fields["nom"].widget.attrs["autofocus"] = True
    elif focus == "communes":
        form = formulaires["form"]
        form.fields[form.noms_communes[-1]].widget.attrs["autofocus"] = True
    return render(request, f"portail/demande_en_ligne/etapes/{etape}.html", contexte)


# --- After ---------------------------------------------------------------------------------


@require_GET
@_brouillon_requis
def plus_tard(request, brouillon):
    """« Enregistrer et continuer plus tard »: saved; how to come back, and until when."""
    sortie = _selon_statut(brouillon)
    if sortie is not None:
        return sortie
    etat = EtatEnLigne(brouillon)
    return render(
        request,
        "portail/demande_en_ligne/plus_tard.html",
        _contexte(email=brouillon.email, continuer=etat.url(etat.premiere_a_faire())),
    )


@require_GET
@_brouillon_requis
def envoyee(request, brouillon):
    """The numéro unique of the demande registered online (also when the link of a draft
    already sent is opened again: then the applicant is not signed in by that link)."""
    if brouillon.statut != DemandeEnLigne.Statut.ENREGISTREE:
        return redirect(EtatEnLigne(brouillon).url(EtatEnLigne(brouillon).premiere_a_faire()))
    demande = brouillon.demande
    # Signed in on the demande right after sending it only: a draft's link opened later shows
    # the numéro, and following the demande goes through the FAQ's login (code télédemandeur).
    connecte = request.portail.get(CLE_DEMANDE) == demande.pk
    return render(
        request,
        "portail/demande_en_ligne/envoyee.html",
        _contexte(demande=demande, email=brouillon.email, connecte=connecte),
    )


@require_GET
@_brouillon_requis
def guichet(request, brouillon):
    """A demande may already exist for the applicant: a desk decides. Nothing of the other
    demande is shown: only the desks of the département and how to reach them."""
    if brouillon.statut != DemandeEnLigne.Statut.A_VOIR_AU_GUICHET:
        etat = EtatEnLigne(brouillon)
        return _selon_statut(brouillon) or redirect(etat.url(etat.premiere_a_faire()))
    departement = EtatEnLigne(brouillon).departement
    return render(
        request,
        "portail/demande_en_ligne/guichet.html",
        _contexte(guichets=services.guichets_a_contacter(departement)),
    )
