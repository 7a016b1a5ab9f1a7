"""Reads of the partners and actions shown to the public: only those of published cités, and
only the links and actions an agent has validated (`valide`)."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from cites.models import CiteEducative
from cites.search import search_fold_text
from partenaires.models import Action, Famille, LienPartenaire, Objectif, Partenaire, TempsEducatif


def _liens_publics():
    return LienPartenaire.objects.filter(cite__publiee=True, valide=True)


def _actions_publiques():
    # Validated by an agent: what a porteur entered waits until then (partenaires.validation).
    return Action.objects.filter(cite__publiee=True, valide=True)


def partenaire_list_public() -> QuerySet[Partenaire]:
    """Partners tied to a published cité (by a link or an action), with those links prefetched
    (cité included) in a fixed number of queries."""
    return (
        Partenaire.objects.filter(
            Exists(_liens_publics().filter(partenaire=OuterRef("pk")))
            | Exists(_actions_publiques().filter(partenaires=OuterRef("pk")))
        )
        .prefetch_related(
            Prefetch(
                "liens",
                queryset=_liens_publics().select_related("cite").order_by("cite__nom", "pk"),
                to_attr="liens_publics",
            )
        )
        .order_by("nom", "pk")
    )


def action_list_public() -> QuerySet[Action]:
    """Fiches action of published cités, with their cité and partners."""
    return (
        _actions_publiques()
        .select_related("cite")
        .prefetch_related(Prefetch("partenaires", queryset=Partenaire.objects.order_by("nom")))
        .order_by("cite__nom", "objectif", "titre", "pk")
    )


# --- A cité's page: its network and its fiches action -------------------------------------


def lien_list_for_cite(*, cite: CiteEducative) -> list[LienPartenaire]:
    """The partner links of a cité, partner included (one query)."""
    return list(LienPartenaire.objects.filter(cite=cite, valide=True).select_related("partenaire"))


def action_list_for_cite(*, cite: CiteEducative) -> list[Action]:
    """Every fiche action of a cité with its partners (two queries), by objective in the order
    of the three objectives, then by title."""
    actions = Action.objects.filter(cite=cite, valide=True).prefetch_related(
        Prefetch("partenaires", queryset=Partenaire.objects.order_by("nom", "pk"))
    )
    order = list(Objectif.values)
    return sorted(actions, key=lambda action: (order.index(action.objectif), search_fold_text(action.titre), action.pk))


def _matches(action: Action, *, objectif: str, temps: str) -> bool:
    return (not objectif or action.objectif == objectif) and (not temps or getattr(action, f"temps_{temps}"))


@dataclass(frozen=True)
class ActionsFiltrees:
    actions: list[Action]  # those matching the filters
    total: int  # all the actions of the cité
    par_objectif: dict[str, int]  # count per objective, under the chosen temps
    par_temps: dict[str, int]  # count per temps éducatif, under the chosen objective


def action_filter(*, actions: list[Action], objectif: str = "", temps: str = "") -> ActionsFiltrees:
    """Filter a cité's actions by objective and temps éducatif, with the count of each choice.

    Each count is what choosing that value would give, the other filter kept (faceted counts).
    """
    return ActionsFiltrees(
        actions=[action for action in actions if _matches(action, objectif=objectif, temps=temps)],
        total=len(actions),
        par_objectif={
            value: sum(_matches(action, objectif=value, temps=temps) for action in actions) for value in Objectif.values
        },
        par_temps={
            value: sum(_matches(action, objectif=objectif, temps=value) for action in actions)
            for value in TempsEducatif.values
        },
    )


# --- The partner directory -------------------------------------------------------------------


def partenaire_annuaire() -> list[dict]:
    """The seven families, each with its partners tied to a published cité and, for each
    partner, those cités (by a link or an action), in three queries."""
    partenaires = partenaire_list_public().prefetch_related(
        Prefetch(
            "actions",
            queryset=_actions_publiques().select_related("cite").only("pk", "cite"),
            to_attr="actions_publiques",
        )
    )
    familles = {value: [] for value in Famille.values}
    for partenaire in partenaires:
        cites = {lien.cite.pk: lien.cite for lien in partenaire.liens_publics}
        cites.update((action.cite.pk, action.cite) for action in partenaire.actions_publiques)
        partenaire.cites_publiques = sorted(cites.values(), key=lambda cite: (search_fold_text(cite.nom), cite.pk))
        familles[partenaire.famille].append(partenaire)
    return [
        {
            "code": value,
            "nom": label.split(" (")[0],
            "exemples": label.partition(" (")[2].rstrip(")").rstrip("…"),
            "partenaires": familles[value],
        }
        for value, label in Famille.choices
    ]
