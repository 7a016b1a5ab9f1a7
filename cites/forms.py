from django import forms
from dsfr.forms import DsfrBaseForm

from cites.models import Departement, Region, Suggestion
from cites.selectors import CiteListFilters

ANNEE_MIN = 2019
ANNEE_MAX = 2100


ERROR_MESSAGES = {
    "region": "Région inconnue : « {} ». Choisissez une région dans la liste.",
    "departement": "Département inconnu : « {} ». Indiquez un code INSEE de département (ex. 69, 2A, 974).",
    "annee": f"Année invalide : « {{}} ». Indiquez une année à partir de {ANNEE_MIN}.",
}


def _normalize_departement(code: str) -> str:
    code = code.strip().upper()
    # The annuaire writes "094", the COG "94": accept both.
    if len(code) == 3 and code.startswith("0"):
        code = code[1:]
    return code


class DepartementSelect(forms.Select):
    """The départements, each option saying its région (`data-region`), so that a script can
    offer only the départements of the chosen région (static/js/filtres.js)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.regions: dict[str, str] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value and str(value) in self.regions:
            option["attrs"]["data-region"] = self.regions[str(value)]
        return option


class CiteFilterForm(DsfrBaseForm):
    """Filters of the list of cités, read from the query string (GET).

    The départements offered are those of the chosen région; a département outside it is an
    error said in French, and the list is filtered by the région alone."""

    q = forms.CharField(
        label="Rechercher",
        help_text="Nom de la cité ou d'une de ses communes",
        required=False,
        max_length=100,
        error_messages={"max_length": "La recherche ne peut dépasser %(limit_value)d caractères."},
    )
    region = forms.ChoiceField(label="Région", required=False)
    departement = forms.ChoiceField(label="Département", required=False, widget=DepartementSelect)
    annee = forms.ChoiceField(label="Année du label", required=False)

    def __init__(self, *args, choices: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"type": "search", "placeholder": "Ex. : Toulouse, Créteil…"})
        self.fields["region"].choices = [("", "Toutes les régions")] + [
            (region.code, region.nom) for region in choices["regions"]
        ]
        self.fields["departement"].choices = [("", "Tous les départements")] + [
            (departement.code, f"{departement.code} — {departement.nom}") for departement in choices["departements"]
        ]
        region_codes = {region.pk: region.code for region in choices["regions"]}
        self._departement_regions = {
            departement.code: region_codes.get(departement.region_id, "") for departement in choices["departements"]
        }
        self.fields["departement"].widget.regions = self._departement_regions
        self.fields["region"].widget.attrs["data-filtre-region"] = "departement"
        self.fields["annee"].choices = [("", "Toutes les années")] + [(str(a), str(a)) for a in choices["annees"]]
        if self.is_bound:
            self.data = self.data.copy()
            self._accept_known_codes()

    def _accept_known_codes(self) -> None:
        """A real région, département or year without any cité is a valid filter (with no result)."""
        region = self.data.get("region", "").strip().upper()
        self.data["region"] = region
        if region and region not in dict(self.fields["region"].choices):
            found = Region.objects.filter(code=region).first()
            if found:
                self.fields["region"].choices.append((found.code, found.nom))
        departement = _normalize_departement(self.data.get("departement", ""))
        self.data["departement"] = departement
        if departement and departement not in dict(self.fields["departement"].choices):
            found = Departement.objects.filter(code=departement).select_related("region").first()
            if found:
                self.fields["departement"].choices.append((found.code, f"{found.code} — {found.nom}"))
                self._departement_regions[found.code] = found.region.code if found.region else ""
        if region and region in dict(self.fields["region"].choices):
            # Only the départements of the chosen région (and the one typed, to say it does not belong).
            self.fields["departement"].choices = [
                (code, label)
                for code, label in self.fields["departement"].choices
                if not code or self._departement_regions.get(code) == region or code == departement
            ]
        annee = self.data.get("annee", "").strip()
        self.data["annee"] = annee
        if annee.isdigit() and ANNEE_MIN <= int(annee) <= ANNEE_MAX and annee not in dict(self.fields["annee"].choices):
            self.fields["annee"].choices.append((annee, annee))

    def full_clean(self):
        super().full_clean()
        # ChoiceField rejects values outside the choices; say plainly what was wrong.
        for name, message in ERROR_MESSAGES.items():
            if name in self._errors:
                self._errors[name] = self.error_class([message.format(str(self.data.get(name, ""))[:30])])
        if not self.is_bound or not hasattr(self, "cleaned_data"):
            return
        region, departement = self.cleaned_data.get("region"), self.cleaned_data.get("departement")
        if region and departement and self._departement_regions.get(departement) != region:
            noms = dict(self.fields["region"].choices)
            libelle = dict(self.fields["departement"].choices).get(departement, departement)
            self.add_error(
                "departement",
                f"Le département {libelle} n’est pas dans la région {noms.get(region, region)} : choisissez l’un de "
                "ses départements, ou toutes les régions.",
            )

    def filters(self) -> CiteListFilters:
        """The valid filters; an invalid one is left out (and reported by the page)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        annee = data.get("annee") or ""
        return CiteListFilters(
            region=data.get("region") or "",
            departement=data.get("departement") or "",
            annee=int(annee) if annee else None,
            q=(data.get("q") or "").strip(),
        )


MESSAGE_MAX_LENGTH = 5000


class SuggestionForm(DsfrBaseForm):
    """« Proposer une correction » on a cité's page. `site_web` is a honeypot: hidden from
    people (and screen readers), only robots fill it in."""

    champ = forms.ChoiceField(
        label="Élément concerné",
        choices=[("", "Choisissez l’élément à corriger")] + Suggestion.Champ.choices,
        error_messages={"required": "Choisissez l’élément de la page que votre proposition concerne."},
    )
    message = forms.CharField(
        label="Votre proposition",
        help_text="Ce qui est inexact ou manque, et, si vous la connaissez, la bonne information avec sa source.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=MESSAGE_MAX_LENGTH,
        error_messages={
            "required": "Écrivez votre proposition de correction.",
            "max_length": "Votre proposition ne peut dépasser %(limit_value)d caractères "
            "(elle en compte %(show_value)d).",
        },
    )
    email = forms.EmailField(
        label="Votre adresse électronique",
        help_text="Pour que l’équipe puisse vous demander une précision. Elle n’est jamais affichée. "
        "Format attendu : nom@domaine.fr",
        required=False,
        error_messages={"invalid": "Adresse électronique invalide. Format attendu : nom@domaine.fr"},
    )
    site_web = forms.CharField(label="Ne remplissez pas ce champ", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["site_web"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    def clean_message(self) -> str:
        message = self.cleaned_data["message"].strip()
        if not message:
            raise forms.ValidationError("Écrivez votre proposition de correction.")
        return message

    @property
    def is_spam(self) -> bool:
        """The honeypot was filled in: a robot sent the form."""
        return bool(self.data.get("site_web", "").strip())


class AlerteForm(DsfrBaseForm):
    """« Être prévenu d'une nouvelle cité dans mon département »: an address and a département.
    `site_web` is a honeypot, as on the suggestion form."""

    email = forms.EmailField(
        label="Votre adresse électronique",
        help_text="Format attendu : nom@domaine.fr. Elle ne sert qu’à cette alerte et n’est jamais affichée.",
        error_messages={
            "required": "Indiquez l’adresse à laquelle vous prévenir.",
            "invalid": "Adresse électronique invalide. Format attendu : nom@domaine.fr",
        },
    )
    departement = forms.ChoiceField(
        label="Département",
        error_messages={
            "required": "Choisissez le département qui vous intéresse.",
            "invalid_choice": "Département inconnu : choisissez-le dans la liste.",
        },
    )
    site_web = forms.CharField(label="Ne remplissez pas ce champ", required=False)

    def __init__(self, *args, departements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["departement"].choices = [("", "Choisissez un département")] + [
            (departement.code, f"{departement.code} — {departement.nom}") for departement in departements
        ]
        self.fields["site_web"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    @property
    def is_spam(self) -> bool:
        return bool(self.data.get("site_web", "").strip())
