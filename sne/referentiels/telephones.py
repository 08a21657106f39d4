"""Telephone numbers: one check for every form, the API and the imports, one stored format
(E.164, « +33612345678 »), one readable display (« 06 12 34 56 78 »).

The numbering plan is a referential like the communes: metropolitan France and the overseas
départements share the national plan (ten digits starting with 0), but each overseas
département has its own country code (+262 Réunion and Mayotte, +590 Guadeloupe, Saint-
Barthélemy and Saint-Martin, +596 Martinique, +594 Guyane, +508 Saint-Pierre-et-Miquelon).
python-phonenumbers files a number typed in national format under the region it is given:
parsed as « FR », « 0262 12 34 56 » is an invalid metropolitan number and « 0596 60 12 34 » a
wrong valid one. So a national number is also read in each overseas region, and a fixed line or
mobile found there wins (a box number such as 09 76…, valid in metropolitan France, stays
there). Foreign numbers are accepted with « + » (or 00) and their country code.
"""

import re

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType, ValidationResult

from sne.exceptions import ErreurMetier

# The overseas regions of the French plan, in the order they are tried: Guadeloupe before
# Saint-Barthélemy and Saint-Martin, which share its ranges (the country code is the same, and
# python-phonenumbers tells the territory from the number itself).
REGIONS_OUTRE_MER = ("RE", "YT", "GP", "BL", "MF", "MQ", "GF", "PM")
REGIONS_DU_PLAN_FRANCAIS = {"FR", *REGIONS_OUTRE_MER}
TYPES_LOCAUX = {
    PhoneNumberType.FIXED_LINE,
    PhoneNumberType.MOBILE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE,
}
# What people put between digits: spaces (also non-breaking ones), dots, hyphens, slashes,
# brackets around the trunk 0 (« +33 (0)6… »).
_CARACTERES_ADMIS = re.compile(r"^\+?[0-9 .\-/()]+$")
_ESPACES = re.compile(r"[\s\u00a0\u202f]+")
_E164 = re.compile(r"^\+[1-9][0-9]{3,14}$")
DEBUT_DU_MESSAGE = "Ce numéro de téléphone n'est pas valide : "
EXEMPLE = "par exemple 06 12 34 56 78, 0262 12 34 56 ou +33 6 12 34 56 78"


class TelephoneInvalide(ErreurMetier):
    code = "telephone_invalide"

    def __init__(self, explication: str, champ: str = "telephone"):
        super().__init__(DEBUT_DU_MESSAGE + explication, champ=champ)


def _lire(texte: str) -> phonenumbers.PhoneNumber:
    """The number typed, read in the French plan (overseas included) or with its country code."""
    if not _CARACTERES_ADMIS.match(texte):
        raise TelephoneInvalide(
            "seuls des chiffres sont admis, séparés ou non par des espaces, des points ou des "
            f"tirets, et « + » devant l'indicatif d'un pays ({EXEMPLE})."
        )
    try:
        numero = phonenumbers.parse(texte, "FR")
    except NumberParseException as e:
        if e.error_type == NumberParseException.INVALID_COUNTRY_CODE:
            raise TelephoneInvalide(
                "l'indicatif de pays après « + » (ou 00) n'existe pas "
                "(+33 pour la France, +262 pour La Réunion…)."
            ) from e
        raise TelephoneInvalide(f"il est trop court ou trop long ({EXEMPLE}).") from e
    if numero.country_code != 33:
        return numero
    # A national number (or one written +33 0262… by habit): is it an overseas one?
    national = "0" + str(numero.national_number)
    francais = phonenumbers.is_valid_number(numero)
    for region in REGIONS_OUTRE_MER:
        outre_mer = phonenumbers.parse(national, region)
        if phonenumbers.is_valid_number_for_region(outre_mer, region) and (
            not francais or phonenumbers.number_type(outre_mer) in TYPES_LOCAUX
        ):
            return outre_mer
    return numero


def _explication(numero: phonenumbers.PhoneNumber, texte: str) -> str:
    if numero.country_code == 33:
        international = texte.startswith(("+", "00"))
        chiffres = sum(c.isdigit() for c in texte)
        significatifs = len(str(numero.national_number))
        if (international and significatifs != 9) or (not international and chiffres != 10):
            if international:
                longueur = "après l'indicatif +33, un numéro français compte 9 chiffres"
            else:
                longueur = (
                    f"il compte {chiffres} chiffre{'s' if chiffres > 1 else ''}, "
                    "un numéro français en compte 10"
                )
            return (
                f"{longueur} ({EXEMPLE}). Pour un numéro étranger, commencez par « + » et "
                "l'indicatif du pays."
            )
        cause = (
            "un numéro français commence par 0"
            if not international and not texte.startswith("0")
            else "aucune ligne de métropole ni d'outre-mer ne porte ce numéro ; vérifiez-le"
        )
        return f"{cause}. Pour un numéro étranger, commencez par « + » et l'indicatif du pays."
    raison = phonenumbers.is_possible_number_with_reason(numero)
    indicatif = f"+{numero.country_code}"
    if raison == ValidationResult.INVALID_COUNTRY_CODE:
        return f"l'indicatif {indicatif} n'est celui d'aucun pays."
    if raison in (
        ValidationResult.TOO_SHORT,
        ValidationResult.TOO_LONG,
        ValidationResult.INVALID_LENGTH,
    ):
        return f"le nombre de chiffres après l'indicatif {indicatif} ne convient pas ; vérifiez-le."
    return f"aucune ligne ne porte ce numéro dans le pays d'indicatif {indicatif} ; vérifiez-le."


def normaliser_telephone(texte: str | None, champ: str = "telephone") -> str:
    """The number typed, checked and written in E.164 (« +33612345678 »), or "" when empty.

    Raises `TelephoneInvalide` (on `champ`) with a French explanation: « 12345 » is refused
    because a French number has ten digits."""
    texte = _ESPACES.sub(" ", texte or "").strip()
    if not texte:
        return ""
    try:
        numero = _lire(texte)
        if not phonenumbers.is_valid_number(numero):
            raise TelephoneInvalide(_explication(numero, texte))
    except TelephoneInvalide as e:
        e.champ = champ
        raise
    return phonenumbers.format_number(numero, phonenumbers.PhoneNumberFormat.E164)


def telephone_lisible(valeur: str | None) -> str:
    """How a stored number reads on pages and letters: « 06 12 34 56 78 », « 02 62 12 34 56 »
    for the French plan (dialled the same from metropolitan France and overseas),
    « +44 20 7946 0958 » for a foreign one. A value stored before numbers were checked
    (not E.164) is shown as it was typed."""
    valeur = (valeur or "").strip()
    if not _E164.match(valeur):
        return valeur
    try:
        numero = phonenumbers.parse(valeur)
    except NumberParseException:
        return valeur
    national = str(numero.national_number)
    region = phonenumbers.region_code_for_number(numero)
    if region in REGIONS_DU_PLAN_FRANCAIS and len(national) == 9:
        chiffres = "0" + national
        return " ".join(chiffres[i : i + 2] for i in range(0, 10, 2))
    return phonenumbers.format_number(numero, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
