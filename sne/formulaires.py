"""How a page shows errors: the DSFR error summary, and a rule's refusal on its form field.

The rules live in the domain (`regles.py`, `services.py`) and raise `ErreurMetier`; a form
calls them through `verifier` in its `clean_*`, and a view puts a service's refusal on the
field it concerns with `erreur_sur_formulaire` (the error's `champ`). No view maps errors by
hand.
"""

from django import forms
from django.forms import CheckboxSelectMultiple, RadioSelect

from sne.exceptions import ErreurMetier, Introuvable, NonAutorise


def verifier(regle, *args, **kwargs):
    """Run a rule of the domain in a form's `clean_*`: its refusal becomes the field's error."""
    try:
        return regle(*args, **kwargs)
    except ErreurMetier as e:
        raise forms.ValidationError(e.message, code=e.code) from e


def erreur_sur_formulaire(form, erreur: ErreurMetier, champs: dict[str, str] | None = None):
    """Put a service's refusal on the form: on the field named by its `champ` (translated by
    `champs` when the form names it otherwise), or above the form. Each error of a
    `details["erreurs"]` list is placed the same way. A refusal of the rights layer or a missing
    object is not a form error: it goes on to the 403/404 page (`ErreursMetierMiddleware`)."""
    if isinstance(erreur, (NonAutorise, Introuvable)):
        raise erreur
    for detail in erreur.details.get("erreurs") or [erreur.en_erreur()]:
        champ = (champs or {}).get(detail.get("champ", ""), detail.get("champ", ""))
        form.add_error(champ if champ in form.fields else None, detail["message"])


def sans_point_final(message: str) -> str:
    """A whole message (ending with its full stop) used as a part of a longer one (« ligne 3 :
    <message> ; ligne 5 : … »): without its final stop, which the longer message puts once.
    An ellipsis is kept."""
    message = message.rstrip()
    if message.endswith(".") and not message.endswith("..."):
        return message[:-1]
    return message


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
