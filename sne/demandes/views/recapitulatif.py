"""The summary of the registration wizard: every step as the agent will read it before
registering (labels of the forms in their order — the CERFA's —, readable values, telephone
numbers as one reads them, the NIR masked)."""

from datetime import date
from decimal import Decimal

from sne.referentiels.forms import ChampTelephone
from sne.referentiels.telephones import telephone_lisible

from .. import nomenclatures as n
from .etat_assistant import ETAPES_FORMULAIRES, TITRES, formulaires_etape


def _valeur_lisible(champ, valeur) -> str:
    """How a cleaned value reads in the summary."""
    if valeur is None or valeur == "" or valeur == [] or valeur is False:
        return ""
    if valeur is True:
        return "Oui"
    if isinstance(champ, ChampTelephone):
        return telephone_lisible(valeur)
    if isinstance(valeur, dict) and "code" in valeur:
        return f"{valeur['nom']} ({valeur['code']})"
    if isinstance(valeur, date):
        return valeur.strftime("%d/%m/%Y")
    if isinstance(valeur, Decimal):
        return f"{valeur} €"
    choix = dict(getattr(champ, "choices", []) or [])
    if isinstance(valeur, list):
        return ", ".join(str(choix.get(v, v)) for v in valeur)
    return str(choix.get(valeur, valeur))


def _lignes(form, cleaned: dict, exclure=(), prefixe_libelle="") -> list[tuple[str, str]]:
    lignes = []
    for nom, champ in form.fields.items():
        if nom in exclure:
            continue
        if nom == "nir":
            if cleaned.get("nir"):
                lignes.append(("Numéro de sécurité sociale", "renseigné (masqué)"))
            continue
        texte = _valeur_lisible(champ, cleaned.get(nom))
        if texte:
            libelle = str(champ.label).replace(" (facultatif)", "")
            lignes.append((prefixe_libelle + libelle, texte))
    return lignes


def recapitulatif(etat, propres) -> list[dict]:
    sections = []
    for etape in ETAPES_FORMULAIRES:
        formulaires = formulaires_etape(etat, etape, None)
        form = formulaires["form"]
        if etape == "guichet":
            guichet = form.guichets.get(propres["guichet"]["guichet"])
            lignes = [
                ("Guichet enregistreur", f"{guichet.code} — {guichet.nom}" if guichet else ""),
                *_lignes(form, propres[etape], exclure=("guichet",)),
            ]
            if not propres["guichet"]["date_depot"]:
                lignes.append(("Date de dépôt", "aujourd'hui"))
        elif etape == "menage":
            lignes = []
            if propres.get("a_co_demandeur"):
                lignes += _lignes(form, propres[etape], prefixe_libelle="Co-demandeur — ")
            else:
                lignes.append(("Co-demandeur", "aucun"))
            for i, p in enumerate(propres.get("personnes", []), 1):
                naissance = p.get("date_naissance")
                lien = dict(n.LienParente.choices).get(p.get("lien"), "")
                lignes.append(
                    (
                        f"Personne à charge n° {i}",
                        f"{p['prenom']} {p['nom'].upper()}"
                        + (f", né(e) le {naissance:%d/%m/%Y}" if naissance else "")
                        + (f" ({lien.lower()})" if lien else ""),
                    )
                )
            lignes.append(("Nombre de personnes à loger", str(nombre_personnes(propres))))
        elif etape == "demandeur" and propres.get("association"):
            lignes = [*_lignes_association(propres["association"]), *_lignes(form, propres[etape])]
        elif etape == "souhaits":
            lignes = [
                (
                    "Communes souhaitées",
                    ", ".join(f"{c['nom']} ({c['code']})" for c in propres[etape]["communes"]),
                ),
                *_lignes(form, propres[etape], exclure=form.noms_communes),
            ]
        else:
            lignes = _lignes(form, propres[etape])
        sections.append(
            {
                "etape": etape,
                "titre": TITRES[etape],
                "url": etat.url(etape),
                "lignes": lignes,
            }
        )
    return sections


def _lignes_association(a: dict) -> list[tuple[str, str]]:
    """The association beneficiary in the summary: from the table, or as typed."""
    association = a.get("association")
    if association:
        lignes = [("Association bénéficiaire", f"{association.nom} (table du département)")]
        if association.siren:
            lignes.append(("SIREN de l'association", association.siren))
        if association.date_creation:
            lignes.append(
                ("Date de création de l'association", f"{association.date_creation:%d/%m/%Y}")
            )
        if association.adresse:
            lignes.append(("Adresse de l'association", association.adresse))
        return lignes
    commune = a.get("association_commune")
    adresse = ", ".join(
        p
        for p in (
            a.get("association_adresse_ligne1"),
            f"{commune['code_postal']} {commune['nom']}".strip() if commune else "",
        )
        if p
    )
    creation = a.get("association_date_creation")
    return [
        ("Association bénéficiaire", f"{a.get('association_nom')} (saisie libre)"),
        ("Date de création de l'association", f"{creation:%d/%m/%Y}" if creation else ""),
        ("Adresse de l'association", adresse),
    ]


def nombre_personnes(propres: dict) -> int:
    return 1 + (1 if propres.get("a_co_demandeur") else 0) + len(propres.get("personnes", []))
