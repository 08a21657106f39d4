"""Forms of the agent's pages for demandes: search, the steps of the creation wizard, the
modification, and the actions (radiation, réactivation).

Forms check what a person typed (types, lists, an e-mail's syntax, a NIR's key, a commune that
exists): the rules of the register stay in `services.py`, which has the last word. Only what
the law requires to register a demande is marked required (CCH R441-2-1, R441-2-3).
"""

import re
from datetime import date

from django import forms
from django.urls import reverse
from django.utils import timezone
from dsfr.forms import DsfrBaseForm
from dsfr.utils import dsfr_input_class_attr
from dsfr.widgets import InlineCheckboxSelectMultiple, InlineRadioSelect

from sne.organisations.associations import TABLE_VIDE, rechercher_associations, table_renseignee
from sne.organisations.models import Association
from sne.referentiels.index import index_communes
from sne.referentiels.models import Departement
from sne.referentiels.services import TROUVEE, resoudre_commune
from sne.referentiels.widgets import CommuneAutocompleteWidget, CommuneField

from . import nomenclatures as n
from .models import Demande, plier
from .schemas import _email, _nir
from .services import (
    ANCIENNETE_MAX_SAISIE_JOURS,
    LIMITE_COMMUNES_SOUHAITEES,
    departements_souhaitables,
)

OUI_NON = [("oui", "Oui"), ("non", "Non")]
MAX_PERSONNES_A_CHARGE = 10
COMMUNES_AFFICHEES = 3  # wished communes shown at first; « Ajouter une commune » adds more
_CODE_INSEE = re.compile(r"^[0-9][0-9AB][0-9]{3}$")


def _choix(enumeration, vide: str = "—", exclure=()) -> list[tuple[str, str]]:
    return [("", vide), *((v, lib) for v, lib in enumeration.choices if v not in exclure)]


def _date(**attrs) -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")


CIVILITES = _choix(n.Civilite, exclure=(n.Civilite.MADEMOISELLE,))


# The DSFR widgets (not homemade subclasses): their class name is what makes django-dsfr render
# a group with its fieldset and legend, as screen readers need (RGAA).
CasesEnLigne = InlineCheckboxSelectMultiple
BoutonsRadioEnLigne = InlineRadioSelect


# --- Commune fields --------------------------------------------------------------------------


def libelle_commune(code_insee: str) -> str:
    """« Saint-Denis (93200) »: what the autocomplete puts in the text input."""
    fiche = index_communes().fiches.get(code_insee)
    if fiche is None:
        return code_insee
    cp = fiche.code_postal_principal
    return f"{fiche.nom} ({cp})" if cp else fiche.nom


class CommuneWidget(CommuneAutocompleteWidget):
    """The referentials' autocomplete, which also shows a commune already chosen (a form
    displayed again keeps the INSEE code in the hidden input and the name in the text one)."""

    template_name = "demandes/widgets/commune.html"

    def get_context(self, name, value, attrs):
        contexte = super().get_context(name, value, attrs)
        valeur = contexte["widget"]["value"] or ""
        code, libelle = "", valeur
        if _CODE_INSEE.match(valeur) and valeur in index_communes().fiches:
            code, libelle = valeur, libelle_commune(valeur)
        contexte["widget"].update({"code": code, "libelle": libelle})
        return contexte


class ChampCommune(CommuneField):
    """A commune, cleaned into a small dict {code, nom, departement, code_postal}: JSON-ready
    for the wizard's session, and keeping the postal code the resolution chose."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", CommuneWidget)
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        texte = forms.CharField.clean(self, value)
        if not texte:
            return None
        resolution = resoudre_commune(texte, self.departement)
        if resolution.statut != TROUVEE:
            propositions = ", ".join(
                f"{c.commune.nom} ({c.commune.code_insee})" for c in resolution.candidats[:5]
            )
            raise forms.ValidationError(
                resolution.message + (f" Propositions : {propositions}." if propositions else ""),
                code=resolution.statut,
            )
        fiche = resolution.commune
        return {
            "code": fiche.code_insee,
            "nom": fiche.nom,
            "departement": fiche.departement,
            "code_postal": resolution.code_postal or fiche.code_postal_principal or "",
            "codes_postaux": list(fiche.codes_postaux),
        }


def _adresse_coherente(form, cleaned) -> None:
    """The postal code, when typed, must be one of the commune's; else it is taken from it."""
    commune = cleaned.get("commune")
    if not commune:
        return
    code_postal = (cleaned.get("code_postal") or "").strip()
    if code_postal and code_postal not in commune["codes_postaux"]:
        form.add_error(
            "code_postal",
            f"Le code postal {code_postal} n'est pas celui de {commune['nom']} "
            f"({', '.join(commune['codes_postaux'])}).",
        )
    elif not code_postal:
        cleaned["code_postal"] = commune["code_postal"]


class ChampEmail(forms.CharField):
    """Any valid address (the legacy « 19@17.3 » format of the FAQ is not a limit here)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Adresse e-mail")
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"inputmode": "email", "autocomplete": "off", "spellcheck": "false"}
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        valeur = super().clean(value)
        try:
            return _email(valeur)
        except ValueError as e:
            raise forms.ValidationError(str(e)) from e


class ChampNir(forms.CharField):
    """The NIR is typed in a masked input and never displayed in clear afterwards."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Numéro de sécurité sociale (facultatif)")
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", 21)
        kwargs.setdefault(
            "widget",
            forms.PasswordInput(
                render_value=False, attrs={"autocomplete": "off", "inputmode": "numeric"}
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        valeur = super().clean(value)
        try:
            return _nir(valeur)
        except ValueError as e:
            raise forms.ValidationError(str(e)) from e


def _date_naissance_passee(valeur):
    if valeur and valeur > date.today():
        raise forms.ValidationError("La date de naissance ne peut pas être dans le futur.")
    return valeur


# --- Search ----------------------------------------------------------------------------------


class RechercheNumeroForm(DsfrBaseForm):
    numero = forms.CharField(
        label="Numéro unique",
        max_length=40,
        help_text="18 caractères, par exemple 075 01 26 000123 75BA1 : espaces et minuscules "
        "sont acceptés.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class RecherchePersonneForm(DsfrBaseForm):
    nom = forms.CharField(
        label="Nom",
        required=False,
        max_length=100,
        help_text="Nom d'usage ou de naissance, ou son début ; accents et majuscules indifférents.",
    )
    prenom = forms.CharField(label="Prénom", required=False, max_length=100)
    date_naissance = forms.DateField(label="Date de naissance", required=False, widget=_date())

    def clean(self):
        donnees = super().clean()
        if not (donnees.get("nom") or "").strip() and not donnees.get("date_naissance"):
            raise forms.ValidationError(
                "Indiquez au moins le nom ou la date de naissance du demandeur."
            )
        return donnees


# --- Creation wizard -------------------------------------------------------------------------


class EtapeGuichetForm(DsfrBaseForm):
    guichet = forms.ChoiceField(label="Guichet enregistreur")
    departement = forms.ChoiceField(
        label="Département de la demande",
        help_text="Votre guichet n'enregistre de demandes que sur les départements où il est "
        "habilité.",
    )
    date_depot = forms.DateField(
        label="Date de dépôt (facultatif)",
        required=False,
        widget=_date(),
        help_text="Date de réception de la demande complète, avec la pièce d'identité. "
        "Aujourd'hui si vous la laissez vide.",
    )
    beneficiaire = forms.ChoiceField(
        label="Bénéficiaire de la demande",
        choices=Demande.Beneficiaire.choices,
        initial=Demande.Beneficiaire.MENAGE,
        widget=forms.RadioSelect,
        help_text="Une association (CERFA 14069) : vous l'indiquerez à l'étape suivante, avec "
        "la personne qui la représente.",
        error_messages={
            "required": "Indiquez si le bénéficiaire est un ménage ou une association."
        },
    )

    def __init__(self, *args, guichets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.guichets = {str(g.pk): g for g in guichets}
        self.fields["guichet"].choices = [
            (str(g.pk), f"{g.code} — {g.nom}") for g in self.guichets.values()
        ]
        departements = {d.code: d for g in self.guichets.values() for d in g.departements.all()}
        self.fields["departement"].choices = [
            (code, f"{code} — {departements[code].nom}") for code in sorted(departements)
        ]
        if len(self.guichets) == 1:
            self.fields["guichet"].initial = next(iter(self.guichets))
        if len(departements) == 1:
            self.fields["departement"].initial = next(iter(departements))
        self.fields["date_depot"].widget.attrs["max"] = timezone.localdate().isoformat()

    def clean_date_depot(self):
        jour = self.cleaned_data.get("date_depot")
        aujourd_hui = timezone.localdate()
        if jour and jour > aujourd_hui:
            raise forms.ValidationError("La date de dépôt ne peut pas être dans le futur.")
        if jour and (aujourd_hui - jour).days > ANCIENNETE_MAX_SAISIE_JOURS:
            raise forms.ValidationError("La date de dépôt remonte à plus d'un an : vérifiez-la.")
        return jour

    def clean(self):
        donnees = super().clean()
        guichet = self.guichets.get(donnees.get("guichet") or "")
        code = donnees.get("departement")
        if guichet and code and code not in {d.code for d in guichet.departements.all()}:
            self.add_error(
                "departement",
                f"Le guichet {guichet.code} n'est pas habilité sur le département {code}. "
                f"Réorientez le demandeur vers un guichet enregistreur habilité sur le "
                f"département {code}.",
            )
        return donnees


class _ContactEtSituation(forms.Form):
    """The demandeur's contact and situation, the same in the registration step and in the
    modification form."""

    email = ChampEmail(label="Adresse e-mail (facultatif)")
    telephone = forms.CharField(label="Téléphone (facultatif)", required=False, max_length=30)
    situation_familiale = forms.ChoiceField(
        label="Situation familiale (facultatif)",
        required=False,
        choices=_choix(n.SituationFamiliale),
    )
    situation_professionnelle = forms.ChoiceField(
        label="Situation professionnelle (facultatif)",
        required=False,
        choices=_choix(n.SituationProfessionnelle),
    )
    employeur = forms.CharField(label="Employeur (facultatif)", required=False, max_length=200)


class EtapeDemandeurForm(_ContactEtSituation, DsfrBaseForm):
    civilite = forms.ChoiceField(label="Civilité (facultatif)", required=False, choices=CIVILITES)
    nom = forms.CharField(label="Nom d'usage", max_length=100)
    nom_naissance = forms.CharField(
        label="Nom de naissance (facultatif)", required=False, max_length=100
    )
    prenom = forms.CharField(label="Prénom", max_length=100)
    date_naissance = forms.DateField(
        label="Date de naissance", widget=_date(), validators=[_date_naissance_passee]
    )
    nationalite = forms.ChoiceField(
        label="Nationalité (facultatif)", required=False, choices=_choix(n.Nationalite)
    )
    piece_identite_type = forms.ChoiceField(
        label="Pièce d'identité présentée",
        choices=n.PieceIdentite.choices,
        widget=forms.RadioSelect,
        help_text="Obligatoire pour enregistrer la demande. Une pièce périmée est acceptée dès "
        "lors que la photo est ressemblante.",
        error_messages={
            "required": "Une pièce d'identité est obligatoire : carte d'identité, passeport ou "
            "titre de séjour (une pièce périmée est acceptée)."
        },
    )
    piece_identite_numero = forms.CharField(
        label="Numéro de la pièce (facultatif)", required=False, max_length=50
    )
    piece_identite_expiration = forms.DateField(
        label="Date d'expiration de la pièce (facultatif)",
        required=False,
        widget=_date(),
        help_text="Une pièce périmée est acceptée.",
    )
    nir = ChampNir(
        help_text="15 caractères, clé comprise. Masqué à l'écran ; laissez vide pour conserver "
        "un numéro déjà saisi."
    )
    adresse_ligne1 = forms.CharField(
        label="Adresse (numéro et voie)",
        max_length=200,
        error_messages={"required": "L'adresse du demandeur (voie et commune) est obligatoire."},
    )
    adresse_ligne2 = forms.CharField(
        label="Complément d'adresse (facultatif)", required=False, max_length=200
    )
    code_postal = forms.CharField(
        label="Code postal (facultatif)",
        required=False,
        max_length=5,
        help_text="Déduit de la commune si vous le laissez vide.",
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    commune = ChampCommune(label="Commune de résidence")
    revenus_mensuels = forms.DecimalField(
        label="Revenus mensuels en euros (facultatif)",
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
    )

    def clean(self):
        donnees = super().clean()
        _adresse_coherente(self, donnees)
        return donnees


class AssociationWidget(forms.TextInput):
    """Type an association's name (or SIREN), pick it from the htmx suggestions of the
    département's table (`departement:recherche_associations`): the picked id goes in a hidden
    input `<name>_id`. Without JavaScript the text is submitted and resolved on the server."""

    template_name = "demandes/widgets/association.html"

    def __init__(self, attrs=None, departement: str = ""):
        super().__init__(attrs)
        self.departement = departement

    def value_from_datadict(self, data, files, name):
        return [data.get(f"{name}_id") or "", data.get(name) or ""]

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_id" not in data

    def format_value(self, value):
        if isinstance(value, (list, tuple)):
            return value[1] if len(value) > 1 else ""
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        contexte = super().get_context(name, value, attrs)
        identifiant = value[0] if isinstance(value, (list, tuple)) and value else ""
        contexte["widget"].update(
            {
                "url": reverse("departement:recherche_associations"),
                "departement": self.departement,
                "identifiant": identifiant if str(identifiant).isdigit() else "",
                "id_suggestions": f"{(attrs or {}).get('id', name)}-suggestions",
            }
        )
        return contexte


class ChampRechercheAssociation(forms.Field):
    """(id picked from the suggestions, text typed), both stripped; the form resolves them."""

    widget = AssociationWidget

    def to_python(self, value):
        if not isinstance(value, (list, tuple)):
            value = ["", value or ""]
        identifiant, saisie = [*value, "", ""][:2]
        identifiant = str(identifiant or "").strip()
        return [identifiant if identifiant.isdigit() else "", str(saisie or "").strip()[:200]]

    def validate(self, value):
        if self.required and not any(value):
            raise forms.ValidationError(self.error_messages["required"], code="required")


def _date_creation_passee(valeur):
    if valeur and valeur > date.today():
        raise forms.ValidationError("La date de création ne peut pas être dans le futur.")
    return valeur


class EtapeAssociationForm(DsfrBaseForm):
    """The association a demande is made for (CERFA 14069), shown on the demandeur step when
    the beneficiary chosen at the first step is an association.

    FAQ « bénéficiaire association »: the desk searches the table of the département and picks
    the association; when that table is not yet filled in, or the association is not in it, the
    desk types its name — with its creation date and address, which the law requires for an
    association (the service checks them too). Field names are prefixed `association_`: the
    step's data is shared with `EtapeDemandeurForm`."""

    LIBRES = (
        "association_nom",
        "association_date_creation",
        "association_adresse_ligne1",
        "association_commune",
    )

    association_recherche = ChampRechercheAssociation(
        label="Association de la table du département",
        required=False,
        help_text="Nom ou SIREN : choisissez-la parmi les associations proposées.",
    )
    association_nom = forms.CharField(
        label="Nom de l'association",
        required=False,
        max_length=200,
        error_messages={"required": "Le nom de l'association est obligatoire."},
    )
    association_date_creation = forms.DateField(
        label="Date de création de l'association",
        required=False,
        widget=_date(),
        validators=[_date_creation_passee],
        error_messages={"required": "La date de création de l'association est obligatoire."},
    )
    association_adresse_ligne1 = forms.CharField(
        label="Adresse de l'association (numéro et voie)",
        required=False,
        max_length=200,
        error_messages={"required": "L'adresse de l'association est obligatoire."},
    )
    association_commune = ChampCommune(
        label="Commune de l'association",
        required=False,
        error_messages={"required": "La commune de l'association est obligatoire."},
    )

    def __init__(self, *args, departement: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.departement = departement
        self.table = Departement.objects.filter(code=departement).first() if departement else None
        self.table_renseignee = bool(self.table and table_renseignee(self.table))
        self.message_table_vide = TABLE_VIDE
        if self.table_renseignee:
            self.fields["association_recherche"].widget.departement = departement
        else:
            # FAQ: no table yet in this département — the association is typed, all required.
            del self.fields["association_recherche"]
            for nom in self.LIBRES:
                self.fields[nom].required = True

    def _depuis_la_table(self, identifiant: str, saisie: str):
        """(association, None) or (None, the reason why the text designates none)."""
        actives = Association.objects.filter(departement=self.table, active=True)
        if identifiant:
            choisie = actives.filter(pk=identifiant).first()
            # A name edited after the pick (without JavaScript the hidden id stays): the text wins.
            if choisie and (not saisie or plier(saisie) == plier(choisie.nom)):
                return choisie, None
        if not saisie:
            return None, None
        trouvees = rechercher_associations(self.table, saisie, limite=0)
        exactes = [
            a
            for a in trouvees
            if plier(a.nom) == plier(saisie) or (a.siren and a.siren == saisie.replace(" ", ""))
        ]
        if len(exactes) == 1:
            return exactes[0], None
        if len(trouvees) == 1:
            return trouvees[0], None
        if not trouvees:
            return None, (
                f"Aucune association de la table du département {self.departement} ne "
                f"correspond à « {saisie} » : vérifiez l'orthographe ou cherchez par SIREN. Si "
                "elle n'est pas dans la table, saisissez-la ci-dessous."
            )
        noms = ", ".join(f"« {a.nom} »" for a in trouvees[:5])
        return None, (
            f"Plusieurs associations de la table correspondent à « {saisie} » ({noms}"
            f"{', …' if len(trouvees) > 5 else ''}) : précisez le nom ou choisissez-la dans la "
            "liste proposée."
        )

    def clean(self):
        donnees = super().clean()
        association, raison = None, None
        if self.table_renseignee:
            identifiant, saisie = donnees.get("association_recherche") or ["", ""]
            association, raison = self._depuis_la_table(identifiant, saisie)
        libre = any(
            donnees.get(nom) not in (None, "")
            or nom in self._errors
            or (self.data.get(nom) or "").strip()
            for nom in self.LIBRES
        )
        donnees["association"] = association
        donnees["association_libre"] = bool(libre and not association)
        if association:
            if libre:
                self.add_error(
                    "association_nom",
                    f"L'association « {association.nom} » de la table est déjà choisie : "
                    "laissez vides les champs de saisie libre, ou videz la recherche pour saisir "
                    "une autre association.",
                )
        elif libre:
            for nom in self.LIBRES:
                if nom not in self._errors and donnees.get(nom) in (None, ""):
                    self.add_error(nom, self.fields[nom].error_messages["required"])
        elif raison:
            self.add_error("association_recherche", raison)
        elif self.table_renseignee:
            self.add_error(
                "association_recherche",
                "Indiquez l'association bénéficiaire : cherchez-la dans la table du département "
                "ou, si elle n'y est pas, saisissez son nom, sa date de création et son adresse.",
            )
        return donnees


class EtapeMenageForm(DsfrBaseForm):
    """The co-demandeur (optional): fields prefixed `co_`."""

    co_civilite = forms.ChoiceField(label="Civilité", required=False, choices=CIVILITES)
    co_nom = forms.CharField(label="Nom d'usage", required=False, max_length=100)
    co_prenom = forms.CharField(label="Prénom", required=False, max_length=100)
    co_date_naissance = forms.DateField(
        label="Date de naissance",
        required=False,
        widget=_date(),
        validators=[_date_naissance_passee],
        help_text="Permet de rechercher ses éventuelles autres demandes (doublons).",
    )
    co_lien = forms.ChoiceField(
        label="Lien avec le demandeur", required=False, choices=_choix(n.LienCoDemandeur)
    )
    co_nationalite = forms.ChoiceField(
        label="Nationalité", required=False, choices=_choix(n.Nationalite)
    )
    co_situation_professionnelle = forms.ChoiceField(
        label="Situation professionnelle",
        required=False,
        choices=_choix(n.SituationProfessionnelle),
    )
    co_revenus_mensuels = forms.DecimalField(
        label="Revenus mensuels en euros",
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
    )
    co_email = ChampEmail(label="Adresse e-mail")
    co_telephone = forms.CharField(label="Téléphone", required=False, max_length=30)

    def clean(self):
        donnees = super().clean()
        saisi = any(v not in (None, "") for v in donnees.values())
        if saisi:
            for champ, libelle in (("co_nom", "Le nom"), ("co_prenom", "Le prénom")):
                if not (donnees.get(champ) or "").strip():
                    self.add_error(
                        champ, f"{libelle} du co-demandeur est nécessaire si vous le déclarez."
                    )
        return donnees

    @property
    def a_co_demandeur(self) -> bool:
        return bool((self.cleaned_data.get("co_nom") or "").strip())


class PersonneAChargeForm(DsfrBaseForm):
    nom = forms.CharField(label="Nom", required=False, max_length=100)
    prenom = forms.CharField(label="Prénom", required=False, max_length=100)
    date_naissance = forms.DateField(
        label="Date de naissance",
        required=False,
        widget=_date(),
        validators=[_date_naissance_passee],
    )
    lien = forms.ChoiceField(
        label="Lien avec le demandeur", required=False, choices=_choix(n.LienParente)
    )

    def clean(self):
        donnees = super().clean()
        if any(v not in (None, "") for v in donnees.values()):
            for champ, libelle in (("nom", "Le nom"), ("prenom", "Le prénom")):
                if not (donnees.get(champ) or "").strip():
                    self.add_error(champ, f"{libelle} de la personne à charge est nécessaire.")
        return donnees


class _RessourcesEtLogement(DsfrBaseForm):
    deja_locataire_hlm = forms.ChoiceField(
        label="Le demandeur est-il déjà locataire d'un logement social (HLM) ?",
        choices=OUI_NON,
        widget=BoutonsRadioEnLigne,
        error_messages={
            "required": "Indiquez si le demandeur est déjà locataire d'un logement social."
        },
    )
    logement_actuel = forms.ChoiceField(
        label="Logement actuel (facultatif)", required=False, choices=_choix(n.LogementActuel)
    )
    loyer_actuel = forms.DecimalField(
        label="Loyer actuel en euros par mois (facultatif)",
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
    )
    nombre_pieces_actuel = forms.IntegerField(
        label="Nombre de pièces du logement actuel (facultatif)",
        required=False,
        min_value=0,
        max_value=30,
    )
    bailleur_actuel = forms.CharField(
        label="Bailleur actuel (facultatif)", required=False, max_length=200
    )
    revenu_fiscal_reference = forms.IntegerField(
        label="Revenu fiscal de référence du ménage en euros (facultatif)",
        required=False,
        min_value=0,
    )
    annee_revenus = forms.IntegerField(
        label="Année de ces revenus (facultatif)",
        required=False,
        min_value=1990,
        max_value=2100,
        help_text="Celle de l'avis d'imposition, par exemple les revenus de l'avant-dernière "
        "année.",
    )
    motifs = forms.MultipleChoiceField(
        label="Motifs de la demande (facultatif)",
        required=False,
        choices=n.MotifDemande.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    motif_precision = forms.CharField(
        label="Précision du motif « autre » (facultatif)", required=False, max_length=300
    )


class EtapeRessourcesForm(_RessourcesEtLogement):
    pass


class _Souhaits(DsfrBaseForm):
    """Wished communes `commune_1` … `commune_<n>` (8 at most, the first required),
    typologies and needs."""

    typologies = forms.MultipleChoiceField(
        label="Typologies souhaitées (facultatif)",
        required=False,
        choices=n.Typologie.choices,
        widget=CasesEnLigne,
    )
    categorie_logement = forms.ChoiceField(
        label="Type de logement (facultatif)",
        required=False,
        choices=_choix(n.CategorieLogement, vide="Sans préférence"),
    )
    ascenseur_necessaire = forms.BooleanField(label="Ascenseur nécessaire", required=False)
    rez_de_chaussee = forms.BooleanField(label="Rez-de-chaussée souhaité", required=False)
    logement_adapte_handicap = forms.BooleanField(
        label="Logement adapté au handicap nécessaire", required=False
    )
    precisions_handicap = forms.CharField(
        label="Précisions sur le handicap (facultatif)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, departement: str = "", nb_communes: int = COMMUNES_AFFICHEES, **kw):
        super().__init__(*args, **kw)
        self.departement = departement
        self.nb_communes = max(1, min(nb_communes, LIMITE_COMMUNES_SOUHAITEES))
        # In Île-de-France a demande may wish communes of the whole region.
        restreint = departement if len(departements_souhaitables(departement)) == 1 else None
        champs = {}
        for i in range(1, self.nb_communes + 1):
            champ = ChampCommune(
                label=f"Commune souhaitée n° {i}" + ("" if i == 1 else " (facultatif)"),
                required=i == 1,
                departement=restreint,
                help_text="Nom, code postal ou code INSEE."
                if i > 1
                else "Au moins une commune. Nom, code postal ou code INSEE.",
                error_messages={
                    "required": "Indiquez au moins une commune souhaitée dans le département."
                },
            )
            champs[f"commune_{i}"] = champ
        self.fields = {**champs, **self.fields}
        for nom in champs:
            dsfr_input_class_attr(self[nom])

    @property
    def noms_communes(self) -> list[str]:
        return [f"commune_{i}" for i in range(1, self.nb_communes + 1)]

    @property
    def champs_communes(self):
        return [self[nom] for nom in self.noms_communes]

    def clean(self):
        donnees = super().clean()
        vues, communes = set(), []
        autorises = departements_souhaitables(self.departement) if self.departement else None
        for nom in self.noms_communes:
            commune = donnees.get(nom)
            if not commune:
                continue
            if autorises and commune["departement"] not in autorises:
                self.add_error(
                    nom,
                    f"{commune['nom']} ({commune['code']}) n'est pas dans le département "
                    f"{self.departement} de la demande.",
                )
            elif commune["code"] in vues:
                self.add_error(nom, f"{commune['nom']} est déjà dans la liste.")
            else:
                vues.add(commune["code"])
                communes.append({**commune, "champ": nom})
        donnees["communes"] = communes
        return donnees


class EtapeSouhaitsForm(_Souhaits):
    pass


class EtapeDoublonsForm(DsfrBaseForm):
    justification = forms.CharField(
        label="Justification écrite pour forcer la création",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Par exemple : « la demande suspectée est celle d'un homonyme né le même "
        "jour, vérifié avec le gestionnaire ». Elle est conservée dans l'historique.",
    )

    MESSAGE = (
        "Une demande active existe déjà pour cette personne : ne forcez la création qu'avec "
        "une justification écrite."
    )

    def __init__(self, *args, exige: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.exige = exige
        self.fields["justification"].required = exige
        self.fields["justification"].error_messages["required"] = self.MESSAGE

    def clean_justification(self):
        texte = (self.cleaned_data.get("justification") or "").strip()
        if self.exige and not texte:
            raise forms.ValidationError(self.MESSAGE)
        return texte


# --- Modification ----------------------------------------------------------------------------


class ModificationForm(_ContactEtSituation, _Souhaits, _RessourcesEtLogement):
    """The main fields an agent updates: the demandeur's contact, address and situation, the
    household's size, resources, current housing, reasons and wishes."""

    adresse_ligne1 = forms.CharField(label="Adresse (numéro et voie)", max_length=200)
    adresse_ligne2 = forms.CharField(
        label="Complément d'adresse (facultatif)", required=False, max_length=200
    )
    code_postal = forms.CharField(
        label="Code postal (facultatif)",
        required=False,
        max_length=5,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    commune = ChampCommune(label="Commune de résidence")
    revenus_mensuels = forms.DecimalField(
        label="Revenus mensuels du demandeur en euros (facultatif)",
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
    )
    piece_identite_type = forms.ChoiceField(
        label="Pièce d'identité", choices=n.PieceIdentite.choices, widget=forms.RadioSelect
    )
    piece_identite_numero = forms.CharField(
        label="Numéro de la pièce (facultatif)", required=False, max_length=50
    )
    piece_identite_expiration = forms.DateField(
        label="Date d'expiration de la pièce (facultatif)",
        required=False,
        widget=_date(),
        help_text="Une pièce périmée est acceptée.",
    )
    nir = ChampNir(help_text="Masqué ; laissez vide pour conserver le numéro enregistré.")
    nombre_personnes = forms.IntegerField(
        label="Nombre de personnes à loger", min_value=1, max_value=30
    )

    def clean(self):
        donnees = super().clean()
        _adresse_coherente(self, donnees)
        return donnees


# --- Actions ---------------------------------------------------------------------------------


class RadiationForm(DsfrBaseForm):
    motif = forms.ChoiceField(
        label="Motif de radiation", choices=_choix(n.MotifRadiation, vide="Choisissez un motif")
    )
    sous_motif = forms.ChoiceField(
        label="Sous-motif d'irrecevabilité",
        required=False,
        choices=_choix(n.SousMotifIrrecevabilite, vide="Choisissez un sous-motif"),
        help_text="Uniquement pour une irrecevabilité décidée par la CAL. Pour une pièce "
        "d'identité falsifiée, choisissez le sous-motif prévu à cet effet.",
    )
    date_avertissement = forms.DateField(
        label="Date du courrier recommandé d'avertissement",
        required=False,
        widget=_date(),
        help_text="Pour une irrecevabilité ou une impossibilité de contacter le demandeur : la "
        "radiation n'est possible qu'un mois après ce courrier.",
    )
    commentaire = forms.CharField(
        label="Commentaire (facultatif)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReactivationForm(DsfrBaseForm):
    commentaire = forms.CharField(
        label="Commentaire (facultatif)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Par exemple : radiation par erreur, le demandeur a bien renouvelé.",
    )
