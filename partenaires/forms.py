from django import forms
from dsfr.forms import DsfrBaseForm

from partenaires.models import Objectif, TempsEducatif

ERROR_MESSAGES = {
    "objectif": "Objectif inconnu : « {} ». Choisissez un objectif dans la liste.",
    "temps": "Temps éducatif inconnu : « {} ». Choisissez avant, pendant ou après la classe.",
}


class ActionFilterForm(DsfrBaseForm):
    """Filters of a cité's fiches action, read from the query string (GET)."""

    objectif = forms.ChoiceField(label="Objectif", required=False)
    temps = forms.ChoiceField(label="Temps éducatif", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.show_counts(par_objectif=None, par_temps=None)

    def show_counts(self, *, par_objectif: dict[str, int] | None, par_temps: dict[str, int] | None) -> None:
        """Give each choice the number of actions it would show, e.g. « Avant la classe (2) »."""

        def label(text: str, counts: dict[str, int] | None, value: str) -> str:
            return text if counts is None else f"{text} ({counts.get(value, 0)})"

        self.fields["objectif"].choices = [("", "Tous les objectifs")] + [
            (value, label(text, par_objectif, value)) for value, text in Objectif.choices
        ]
        self.fields["temps"].choices = [("", "Tous les temps éducatifs")] + [
            (value, label(text.capitalize(), par_temps, value)) for value, text in TempsEducatif.choices
        ]

    def full_clean(self):
        super().full_clean()
        for name, message in ERROR_MESSAGES.items():
            if name in self._errors:
                self._errors[name] = self.error_class([message.format(str(self.data.get(name, ""))[:30])])

    def filters(self) -> dict[str, str]:
        """The valid filters; an invalid one is left out (and reported by the page)."""
        if not self.is_bound:
            return {"objectif": "", "temps": ""}
        self.is_valid()
        return {name: self.cleaned_data.get(name) or "" for name in ("objectif", "temps")}
