"""A reusable form widget: type a commune, pick it from htmx suggestions.

The form field receives the INSEE code (hidden input); the visible text input queries
`referentiels:autocompletion` as the person types. Without JavaScript the text input still
submits, and `CommuneField` resolves the text with the same service as everything else.
"""

from django import forms
from django.urls import reverse

from .services import TROUVEE, Resolution, resoudre_commune


class CommuneAutocompleteWidget(forms.TextInput):
    template_name = "referentiels/widgets/commune_autocomplete.html"

    def __init__(self, attrs=None, departement: str | None = None):
        super().__init__(attrs)
        self.departement = departement

    def value_from_datadict(self, data, files, name):
        # The INSEE code picked from the suggestions wins; otherwise the text as typed.
        return data.get(f"{name}_code") or data.get(name)

    def get_context(self, name, value, attrs):
        contexte = super().get_context(name, value, attrs)
        contexte["widget"].update(
            {
                "url": reverse("referentiels:autocompletion"),
                "departement": self.departement or "",
                "id_suggestions": f"{(attrs or {}).get('id', name)}-suggestions",
            }
        )
        return contexte


class CommuneField(forms.CharField):
    """A form field whose cleaned value is the commune's `FicheCommune`.

    `champ_code_postal` names the postal code field typed next to it in an address: a name
    that does not settle the commune alone is read with it (« St-Ouen » + 93400 is
    Saint-Ouen-sur-Seine, not the Saint-Ouen of 41 or 80)."""

    widget = CommuneAutocompleteWidget

    def __init__(
        self,
        *args,
        departement: str | None = None,
        champ_code_postal: str | None = None,
        **kwargs,
    ):
        kwargs.setdefault("label", "Commune")
        kwargs.setdefault(
            "help_text", "Nom de la commune, code postal ou code INSEE (ex. : St-Denis 93200)."
        )
        super().__init__(*args, **kwargs)
        self.departement = departement
        self.widget.departement = departement
        self.champ_code_postal = champ_code_postal
        self.code_postal_voisin = ""

    def get_bound_field(self, form, field_name):
        # Each form has its own copy of its fields: the postal code typed in this form.
        if self.champ_code_postal and form.is_bound:
            valeur = form.data.get(form.add_prefix(self.champ_code_postal)) or ""
            self.code_postal_voisin = valeur.strip() if isinstance(valeur, str) else ""
        return super().get_bound_field(form, field_name)

    def resoudre(self, texte: str) -> Resolution:
        """The commune typed, with the postal code typed next to it when the name alone does
        not settle it (a postal code that contradicts the name settles nothing either)."""
        resolution = resoudre_commune(texte, self.departement)
        cp = self.code_postal_voisin
        if (
            resolution.statut != TROUVEE
            and len(cp) == 5
            and cp.isdigit()
            and not any(c.isdigit() for c in texte)
        ):
            avec_code = resoudre_commune(f"{cp} {texte}", self.departement)
            if avec_code.statut == TROUVEE:
                return avec_code
        return resolution

    def clean(self, value):
        texte = super().clean(value)
        if not texte:
            return None
        resolution = self.resoudre(texte)
        if resolution.statut != TROUVEE:
            propositions = ", ".join(
                f"{c.commune.nom} ({c.commune.code_insee})" for c in resolution.candidats[:5]
            )
            message = resolution.message + (
                f" Propositions : {propositions}." if propositions else ""
            )
            raise forms.ValidationError(message, code=resolution.statut)
        return resolution.commune
