"""Writes on the partners, their links to the cités and the cités' actions. Other apps (the label
decision of `candidatures`) call these rather than writing the tables themselves."""

from cites.models import CiteEducative
from partenaires.models import Action, LienPartenaire, Partenaire


def partenaire_get_or_create(*, nom: str, famille: str) -> Partenaire:
    """The partner of that name (case aside) in that family, created when there is none."""
    partenaire = Partenaire.objects.filter(nom__iexact=nom, famille=famille).order_by("pk").first()
    if partenaire is None:
        partenaire = Partenaire(nom=nom, famille=famille)
        partenaire.full_clean()
        partenaire.save()
    return partenaire


def action_create(*, cite: CiteEducative, partenaires: list[Partenaire], **champs) -> Action:
    """A public action of the cité (titre, objectif, temps, ages, budget…), with its partners."""
    action = Action(cite=cite, **champs)
    action.full_clean()
    action.save()
    action.partenaires.set(partenaires)
    return action


def action_partenaires_add(*, action_id: int, partenaires: list[Partenaire]) -> None:
    """Partners typed by a porteur joining an action: if any is new to it, the action waits for an
    agent's validation again before it is public."""
    action = Action.objects.get(pk=action_id)
    if {p.pk for p in partenaires} - set(action.partenaires.values_list("pk", flat=True)):
        action.partenaires.add(*partenaires)
        Action.objects.filter(pk=action_id).update(valide=False)


def lien_partenaire_renforcer(
    *, cite: CiteEducative, partenaire: Partenaire, force: int, role: str = "", valide: bool
) -> LienPartenaire:
    """Link the partner to the cité with at least `force`; an existing link keeps the stronger
    force and its role (a role is only filled in when it had none). A new link typed by a porteur
    (`valide=False`) is public once an agent has validated it."""
    lien = LienPartenaire.objects.filter(cite=cite, partenaire=partenaire).first()
    if lien is None:
        lien = LienPartenaire(cite=cite, partenaire=partenaire, force=force, role=role, valide=valide)
        lien.full_clean()
        lien.save()
    elif force > lien.force or (role and not lien.role):
        lien.force = max(force, lien.force)
        lien.role = lien.role or role
        lien.save(update_fields=["force", "role"])
    return lien
