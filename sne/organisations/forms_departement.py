"""Forms of the départements' pages: associations, file of contacts, requests of desks."""

import re

from django import forms
from dsfr.forms import DsfrBaseForm

from .models import DemandeAuGestionnaire


def choix_departements(departements, vide: str | None = None) -> list[tuple[str, str]]:
    choix = [(d.code, f"{d.code} — {d.nom}") for d in departements]
    return [("", vide), *choix] if vide else choix


class ChoixDepartementForm(DsfrBaseForm):
    departement = forms.ChoiceField(label="Département")

    def __init__(self, *args, departements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departement"].choices = choix_departements(
            departements, "Choisissez un département"
        )


class RechercheAssociationForm(DsfrBaseForm):
    q = forms.CharField(
        label="Rechercher une association",
        help_text="Tout ou partie du nom, ou le SIREN.",
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )


class AssociationForm(DsfrBaseForm):
    nom = forms.CharField(label="Nom de l'association", max_length=200)
    siren = forms.CharField(
        label="SIREN (facultatif)",
        help_text="9 chiffres, espaces acceptés. Ex. : 775 672 272",
        required=False,
        max_length=11,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    adresse = forms.CharField(label="Adresse (facultatif)", required=False, max_length=300)
    date_creation = forms.DateField(
        label="Date de création (facultatif)",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ImportAssociationsForm(DsfrBaseForm):
    fichier = forms.FileField(
        label="Fichier CSV",
        help_text=(
            "Une association par ligne : nom;siren;adresse (séparateur point-virgule, SIREN et "
            "adresse facultatifs, ligne d'en-tête facultative). Taille maximale : 2 Mo."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_fichier(self):
        fichier = self.cleaned_data["fichier"]
        if fichier.size > 2 * 1024 * 1024:
            raise forms.ValidationError("Le fichier dépasse 2 Mo : découpez-le.")
        return fichier


class FiltreDemandesForm(DsfrBaseForm):
    statut = forms.ChoiceField(
        label="Statut",
        required=False,
        choices=[("", "Tous les statuts"), *DemandeAuGestionnaire.Statut.choices],
    )


class ReponseDemandeForm(DsfrBaseForm):
    reponse = forms.CharField(
        label="Votre réponse",
        help_text=(
            "Elle est envoyée par e-mail à l'auteur de la demande et visible par son guichet."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
    )


class NouvelleDemandeForm(DsfrBaseForm):
    guichet = forms.TypedChoiceField(label="Guichet", coerce=int)
    departement = forms.ChoiceField(
        label="Département concerné",
        required=False,
        help_text="Votre demande est adressée au gestionnaire territorial de ce département.",
    )
    objet = forms.ChoiceField(label="Objet", choices=DemandeAuGestionnaire.Objet.choices)
    message = forms.CharField(
        label="Votre demande",
        help_text=(
            "Ex. : « Une suspicion de doublon porte sur une demande que je ne vois pas : "
            "pouvez-vous élargir le périmètre de consultation de mon guichet à tout le "
            "département ? »"
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
    )

    def __init__(self, *args, guichets=(), **kwargs):
        super().__init__(*args, **kwargs)
        guichets = list(guichets)
        self.fields["guichet"].choices = [(g.pk, f"{g.code} — {g.nom}") for g in guichets]
        departements = {d.code: d for g in guichets for d in g.departements.all()}
        self.fields["departement"].choices = choix_departements(
            [departements[c] for c in sorted(departements)],
            "Le premier département d'habilitation du guichet",
        )
        if len(guichets) == 1:
            self.fields["guichet"].initial = guichets[0].pk
            if len(departements) == 1:
                self.fields["departement"].widget = forms.HiddenInput()


# --- Prefill of a request from the registration wizard --------------------------------------

# A numéro unique as the wizard sends it. Its exact structure is the demandes' concern (a
# higher layer): here it is only text shown to the agent, in a field they can change.
FORME_NUMERO = re.compile(r"^[0-9A-Z]{18}$")
NUMEROS_MAX = 10
NOMS_MAX = 2
LONGUEUR_NOM_MAX = 250


def preremplissage(parametres, guichets) -> dict | None:
    """The initial values of `NouvelleDemandeForm` asked by the page's address (GET), each
    checked, those that do not fit dropped (they are only a help: the agent reads and may
    change everything before sending):

    - `objet`: one of `DemandeAuGestionnaire.Objet`;
    - `guichet`, `departement`: one of the agent's desks, one of its départements;
    - `numero` (up to 10) and `nom` (up to 2, the demandeur and the co-demandeur as typed), with
      `objet=doublon`: from the duplicate step of a registration, which writes the message
      (« Suspicion de doublon lors d'un enregistrement », the numéros, the names)."""
    initial = {}
    objet = parametres.get("objet", "")
    if objet in DemandeAuGestionnaire.Objet.values:
        initial["objet"] = objet
    par_pk = {str(g.pk): g for g in guichets}
    guichet = par_pk.get(parametres.get("guichet", ""))
    if guichet is not None:
        initial["guichet"] = guichet.pk
    departement = parametres.get("departement", "").strip().upper()
    candidats = (
        guichet.departements.all()
        if guichet
        else [d for g in guichets for d in g.departements.all()]
    )
    if any(d.code == departement for d in candidats):
        initial["departement"] = departement
    if objet == DemandeAuGestionnaire.Objet.DOUBLON:
        numeros = []
        for valeur in parametres.getlist("numero")[:NUMEROS_MAX]:
            numero = re.sub(r"\s+", "", valeur).upper()
            if FORME_NUMERO.match(numero) and numero not in numeros:
                numeros.append(numero)
        noms = [
            " ".join(nom.split())
            for nom in parametres.getlist("nom")[:NOMS_MAX]
            if nom.strip() and len(nom) <= LONGUEUR_NOM_MAX and nom.isprintable()
        ]
        if numeros or noms:
            initial["message"] = message_doublon(numeros, noms)
    return initial or None


def message_doublon(numeros: list[str], noms: list[str]) -> str:
    lignes = ["Suspicion de doublon lors d'un enregistrement."]
    if numeros:
        pluriel = len(numeros) > 1
        lignes.append(
            f"Numéro{'s' if pluriel else ''} unique{'s' if pluriel else ''} "
            f"suspecté{'s' if pluriel else ''} : {', '.join(numeros)}."
        )
    if noms:
        lignes.append(
            f"Personne{'s' if len(noms) > 1 else ''} saisie{'s' if len(noms) > 1 else ''} : "
            f"{' ; '.join(noms)}."
        )
    lignes.append(
        "Pouvez-vous vérifier s'il s'agit de la même personne et m'indiquer la commune "
        "souhaitée par le demandeur ? Si je ne peux pas ouvrir cette demande, pouvez-vous "
        "faire élargir le périmètre de consultation de mon guichet ?"
    )
    return "\n".join(lignes)
