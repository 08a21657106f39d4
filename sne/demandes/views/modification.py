"""The modification of a demande by an agent: contact, address, situation, household size,
resources, current housing, reasons and wishes, through `modifier_demande` (history kept, no
attestation — FAQ)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from sne.comptes.decorateurs import habilite_requis
from sne.exceptions import ErreurMetier
from sne.formulaires import erreur_sur_formulaire, resume_erreurs
from sne.referentiels.models import Commune

from .. import services
from ..forms.modification import ModificationForm
from ..forms.sections import COMMUNES_AFFICHEES
from ..models import Demande
from ..regles import LIMITE_COMMUNES_SOUHAITEES, ModificationConcurrente, exiger_modifiable
from .commun import demande_complete, entier, pour_agir, sans_erreurs, vers_demande
from .entree import localiser_erreur
from .fiche import lignes_historique

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
    initial["version"] = d.version
    return initial, max(len(communes) + 1, COMMUNES_AFFICHEES)


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
    initial, nb_communes = _initial_modification(d)
    if request.method == "POST":
        nb_communes = entier(
            request.POST.get("nb_communes"), nb_communes, LIMITE_COMMUNES_SOUHAITEES
        )
        if request.POST.get("action") == "ajouter_commune":
            nb_communes += 1
    nb_communes = max(1, min(nb_communes, LIMITE_COMMUNES_SOUHAITEES))
    form = ModificationForm(
        request.POST or None,
        initial=initial,
        departement=d.departement_id,
        nb_communes=nb_communes,
    )
    ajout = request.POST.get("action") == "ajouter_commune"
    changements_concurrents = []
    if request.method == "POST" and not ajout and form.is_valid():
        try:
            if _enregistrer_modification(request, d, guichet, form):
                return redirect(vers_demande(d.numero_unique))
        except ModificationConcurrente as e:
            # What the agent typed is kept, on the current version; what changed is shown.
            d = demande_complete(d.pk)
            donnees = request.POST.copy()
            donnees["version"] = str(d.version)
            form = ModificationForm(
                donnees, initial=initial, departement=d.departement_id, nb_communes=nb_communes
            )
            form.is_valid()
            form.add_error(None, e.message)
            changements_concurrents = lignes_historique(
                d.historique.filter(pk__in=e.details["historique"]).order_by("horodatage", "pk")
            )
            services.consulter(d, request.user, guichet)  # the page shows the current demande
    elif ajout:
        sans_erreurs({"form": form})
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
            "nb_communes_max": LIMITE_COMMUNES_SOUHAITEES,
            "peut_dupliquer": services.peut_dupliquer_pour_separation(d),
            "resume_erreurs": resume_erreurs(form),
            "changements_concurrents": changements_concurrents,
        },
    )


def _enregistrer_modification(request, d: Demande, guichet, form) -> bool:
    """Call `modifier_demande` with the form's values; its refusals go on the form, except a
    change made meanwhile (`ModificationConcurrente`), which the page shows."""
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
            version=donnees["version"],
        )
    except services.DonneesInvalides as e:
        for erreur in e.details.get("erreurs") or [e.en_erreur()]:
            _, champ = localiser_erreur(erreur.get("champ", ""), {"souhaits": donnees})
            form.add_error(champ if champ in form.fields else None, erreur["message"])
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
    else:
        messages.info(request, "Aucune modification à enregistrer.")
    return True
