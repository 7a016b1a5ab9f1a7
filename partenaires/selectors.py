"""Reads of the partners and actions shown to the public: only those of published cités."""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from partenaires.models import Action, LienPartenaire, Partenaire


def _liens_publics():
    return LienPartenaire.objects.filter(cite__publiee=True)


def partenaire_list_public() -> QuerySet[Partenaire]:
    """Partners tied to a published cité (by a link or an action), with those links prefetched
    (cité included) in a fixed number of queries."""
    return (
        Partenaire.objects.filter(
            Exists(_liens_publics().filter(partenaire=OuterRef("pk")))
            | Exists(Action.objects.filter(cite__publiee=True, partenaires=OuterRef("pk")))
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
        Action.objects.filter(cite__publiee=True)
        .select_related("cite")
        .prefetch_related(Prefetch("partenaires", queryset=Partenaire.objects.order_by("nom")))
        .order_by("cite__nom", "objectif", "titre", "pk")
    )
