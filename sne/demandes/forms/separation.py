"""The guided step of a separation (FAQ « Un couple se sépare »): the former co-demandeur's
identity document, new address and contact, who the personnes à charge follow, and the
situation familiale of both.

The identity, address and contact fields are those of the registration wizard's demandeur step
(`EtapeDemandeurForm`), taken from it rather than copied: the same labels, widgets, messages
and checks as for any registration. The service (`dupliquer_pour_separation`) has the last word.

No « même adresse pour l'instant » box: the new demandeur's attestation goes to this address
and a separation nearly always means a move; someone still living there types it again, which
is a conscious choice rather than an address copied silently.
"""

from django import forms
from dsfr.forms import DsfrBaseForm
from dsfr.utils import dsfr_input_class_attr

from ..services.separation import SITUATIONS_APRES_SEPARATION, Separation
from .assistant import EtapeDemandeurForm
from .champs import BoutonsRadioEnLigne, adresse_coherente

CHAMPS_DU_DEMANDEUR = (
    "piece_identite_type",
    "piece_identite_numero",
    "piece_identite_expiration",
    "adresse_ligne1",
    "adresse_ligne2",
    "code_postal",
    "commune",
    "email",
    "telephone",
)
RESTE, PART = "reste", "part"


def _champ_de_l_assistant(nom: str) -> forms.Field:
    return EtapeDemandeurForm.base_fields[nom]


class SeparationForm(DsfrBaseForm):
    """`demande`: the demande being split, with its people (one choice per personne à charge,
    `enfant_<id>`). `version`: the version read, checked by the service."""

    piece_identite_type = _champ_de_l_assistant("piece_identite_type")
    piece_identite_numero = _champ_de_l_assistant("piece_identite_numero")
    piece_identite_expiration = _champ_de_l_assistant("piece_identite_expiration")
    adresse_ligne1 = _champ_de_l_assistant("adresse_ligne1")
    adresse_ligne2 = _champ_de_l_assistant("adresse_ligne2")
    code_postal = _champ_de_l_assistant("code_postal")
    commune = _champ_de_l_assistant("commune")
    email = _champ_de_l_assistant("email")
    telephone = _champ_de_l_assistant("telephone")
    situation_demandeur = forms.ChoiceField(
        choices=[(s.value, s.label) for s in SITUATIONS_APRES_SEPARATION],
        initial=SITUATIONS_APRES_SEPARATION[0],
        widget=BoutonsRadioEnLigne,
        error_messages={"required": "Indiquez la situation familiale après la séparation."},
    )
    situation_co_demandeur = forms.ChoiceField(
        choices=[(s.value, s.label) for s in SITUATIONS_APRES_SEPARATION],
        initial=SITUATIONS_APRES_SEPARATION[0],
        widget=BoutonsRadioEnLigne,
        error_messages={"required": "Indiquez la situation familiale après la séparation."},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2_147_483_647)

    def __init__(self, *args, demande, **kwargs):
        super().__init__(*args, **kwargs)
        self.demande = demande
        demandeur, co = demande.demandeur, demande.co_demandeur
        self.fields["version"].initial = demande.version
        self.fields["adresse_ligne1"].error_messages["required"] = (
            f"La nouvelle adresse de {co} (voie et commune) est obligatoire."
        )
        self.fields["situation_demandeur"].label = f"Situation familiale de {demandeur}"
        self.fields["situation_co_demandeur"].label = f"Situation familiale de {co}"
        if co.adresse_ligne1 and co.commune_id:
            # An address of their own already recorded (rare): offered, still editable.
            for champ in ("adresse_ligne1", "adresse_ligne2", "code_postal"):
                self.fields[champ].initial = getattr(co, champ)
            self.fields["commune"].initial = co.commune_id
        self.fields["email"].initial = co.email
        self.fields["telephone"].initial = co.telephone
        self.enfants = {}
        for p in demande.personnes_a_charge:
            nom = f"enfant_{p.pk}"
            naissance = f", né(e) le {p.date_naissance:%d/%m/%Y}" if p.date_naissance else ""
            lien = f" ({p.get_lien_display().lower()}{naissance})" if p.lien else ""
            self.fields[nom] = forms.ChoiceField(
                label=f"{p}{lien}",
                choices=[(RESTE, f"Reste avec {demandeur}"), (PART, f"Part avec {co}")],
                initial=RESTE,
                widget=BoutonsRadioEnLigne,
                error_messages={"required": f"Indiquez avec qui {p} part ou reste."},
            )
            self.enfants[nom] = p
        # Labels set after django-dsfr built the bound fields: build them again.
        self._bound_fields_cache.clear()
        for nom in self.enfants:
            dsfr_input_class_attr(self[nom])

    @property
    def champs_enfants(self):
        return [self[nom] for nom in self.enfants]

    def clean(self):
        donnees = super().clean()
        adresse_coherente(self, donnees)
        return donnees

    def separation(self) -> Separation:
        d = self.cleaned_data
        commune = d["commune"]
        return Separation(
            piece_identite_type=d["piece_identite_type"],
            piece_identite_numero=d["piece_identite_numero"],
            piece_identite_expiration=d["piece_identite_expiration"],
            adresse_ligne1=d["adresse_ligne1"],
            adresse_ligne2=d["adresse_ligne2"],
            code_postal=d["code_postal"] or "",
            commune=commune["code"] if commune else "",
            email=d["email"],
            telephone=d["telephone"],
            partent_avec_le_co_demandeur=frozenset(
                p.pk for nom, p in self.enfants.items() if d.get(nom) == PART
            ),
            situation_demandeur=d["situation_demandeur"],
            situation_co_demandeur=d["situation_co_demandeur"],
        )
