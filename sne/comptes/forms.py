from django import forms
from django.contrib.auth.forms import AuthenticationForm
from dsfr.forms import DsfrBaseForm


class ConnexionForm(DsfrBaseForm, AuthenticationForm):
    """Login with the e-mail address given in the fiche collecte."""

    username = forms.EmailField(
        label="Adresse e-mail",
        help_text="Format attendu : nom@domaine.fr",
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": (
            "Adresse e-mail ou mot de passe incorrect. Vérifiez votre saisie ; après plusieurs "
            "essais, utilisez « Mot de passe oublié » ou contactez votre gestionnaire territorial."
        ),
        "inactive": "Ce compte est désactivé. Contactez votre gestionnaire territorial.",
    }


class MotDePasseInconnuForm(DsfrBaseForm):
    email = forms.CharField(
        label="Adresse e-mail",
        help_text="L'adresse indiquée pour vous dans la fiche collecte de votre guichet.",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class ChoixMotDePasseForm(DsfrBaseForm):
    mot_de_passe = forms.CharField(
        label="Nouveau mot de passe",
        help_text="12 caractères au moins ; évitez un mot courant ou votre nom.",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    confirmation = forms.CharField(
        label="Confirmez le mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        donnees = super().clean()
        if donnees.get("mot_de_passe") != donnees.get("confirmation"):
            self.add_error("confirmation", "Les deux mots de passe ne sont pas identiques.")
        return donnees


class ChangementEmailForm(DsfrBaseForm):
    nouvel_email = forms.CharField(
        label="Nouvelle adresse e-mail",
        help_text="Un lien de confirmation y sera envoyé ; l'adresse actuelle reste valable "
        "jusqu'à la confirmation.",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    mot_de_passe = forms.CharField(
        label="Mot de passe actuel",
        help_text="Pour vérifier que c'est bien vous qui demandez le changement.",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
