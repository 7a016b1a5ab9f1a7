"""Reads of the revues: who plays which role, what is missing, the national synthesis."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet

from candidatures import permissions
from cites.financements import _regions_des_cites
from cites.models import PersonneCite
from revues.models import Etat, Question, Questionnaire, Reponse, Revue
from revues.workflow import ANCT, ETATS, REFERENT, REGION, TROIKA


def _region_ids(revue: Revue) -> set[int]:
    return {c.departement.region_id for c in revue.cite.communes.select_related("departement")}


def revue_roles(*, user, revue: Revue) -> set[str]:
    """The roles `user` plays for `revue` (empty: may not see it)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    roles = set()
    personnes = PersonneCite.objects.filter(cite_id=revue.cite_id, user=user, actif=True).values_list("role", flat=True)
    for role in personnes:
        if role in PersonneCite.ROLES_REFERENTS:
            roles.add(REFERENT)
        if role in PersonneCite.ROLES_TROIKA:
            roles.add(TROIKA)
    if permissions.is_agent_national(user):
        roles.add(ANCT)
    elif permissions.is_agent_regional(user) and permissions.agent_region_id(user) in _region_ids(revue):
        roles.add(REGION)
    return roles


def troika_institutions(*, user, revue: Revue) -> list[str]:
    """The troïka institutions `user` represents for the revue's cité."""
    return list(
        PersonneCite.objects.filter(
            cite_id=revue.cite_id, user=user, actif=True, role__in=PersonneCite.ROLES_TROIKA
        ).values_list("role", flat=True)
    )


def revue_list_for_user(*, user) -> QuerySet[Revue]:
    """The revues a user takes part in: their cités' (référents, troïka), their région's (agents)."""
    queryset = Revue.objects.select_related("cite", "questionnaire")
    if permissions.is_agent_national(user):
        return queryset
    filtre = Q(cite__personnes__user=user, cite__personnes__actif=True)
    if permissions.is_agent_regional(user):
        filtre |= Q(cite__communes__departement__region_id=permissions.agent_region_id(user))
    return queryset.filter(filtre).distinct()


def questions_of(questionnaire: Questionnaire) -> list[Question]:
    return list(Question.objects.filter(section__questionnaire=questionnaire).select_related("section"))


def revue_problemes(*, revue: Revue) -> list[str]:
    """What blocks the transmission: answers missing or invalid, in French."""
    reponses = {r.question_id: r for r in revue.reponses.all()}
    problemes = []
    for question in questions_of(revue.questionnaire):
        reponse = reponses.get(question.pk)
        if reponse is not None and reponse.erreur:
            problemes.append(f"« {question.libelle} » : {reponse.erreur}")
        elif question.obligatoire and (reponse is None or not (reponse.valeur.strip() or reponse.fichier)):
            problemes.append(f"« {question.libelle} » : réponse attendue.")
    return problemes


def revue_erreurs(*, revue: Revue) -> list[dict]:
    """The answers kept with an error, in the questionnaire's order, as the autosave reports them:
    the field's id (for a link), the question, the message."""
    reponses = {r.question_id: r for r in revue.reponses.exclude(erreur="")}
    return [
        {"id": f"q{q.pk}", "libelle": q.libelle, "message": reponses[q.pk].erreur}
        for q in questions_of(revue.questionnaire)
        if q.pk in reponses
    ]


def revue_etat(revue: Revue):
    return ETATS[revue.etat]


# --- National synthesis ------------------------------------------------------------------------


@dataclass
class AgregatQuestion:
    question: Question
    reponses: int = 0
    somme: Decimal | None = None
    moyenne: Decimal | None = None
    distribution: list[tuple[str, int]] = field(default_factory=list)
    par_region: list[tuple[str, int, Decimal | None]] = field(default_factory=list)  # name, answers, sum


def synthese(*, questionnaire: Questionnaire, etats=(Etat.ACCEPTEE,)) -> list[AgregatQuestion]:
    """Per question of the year: the number of answers, sums and means of numbers and amounts,
    the distribution of choices, per région. Free text and files are never aggregated (personal
    or identifying): only counted. Revues in `etats` only (accepted ones, by default)."""
    questions = questions_of(questionnaire)
    reponses = list(
        Reponse.objects.filter(revue__questionnaire=questionnaire, revue__etat__in=etats, erreur="")
        .exclude(valeur="", fichier="")
        .select_related("revue")
    )
    regions = _regions_des_cites({r.revue.cite_id for r in reponses})
    par_question: dict[int, list[Reponse]] = defaultdict(list)
    for reponse in reponses:
        par_question[reponse.question_id].append(reponse)
    agregats = []
    for question in questions:
        lignes = par_question.get(question.pk, [])
        agregat = AgregatQuestion(question, reponses=len(lignes))
        if question.type in (Question.Type.NOMBRE, Question.Type.MONTANT):
            valeurs = [r.nombre for r in lignes if r.nombre is not None]
            agregat.somme = sum(valeurs, Decimal(0)) if valeurs else None
            agregat.moyenne = (agregat.somme / len(valeurs)).quantize(Decimal("0.01")) if valeurs else None
        if question.type == Question.Type.CHOIX:
            compte = Counter(r.valeur for r in lignes)
            agregat.distribution = [(choix, compte.get(choix, 0)) for choix in question.choix]
        regionales: dict[str, list[Reponse]] = defaultdict(list)
        for r in lignes:
            region = regions.get(r.revue.cite_id)
            regionales[region.nom if region else "région inconnue"].append(r)
        for nom in sorted(regionales):
            valeurs = [r.nombre for r in regionales[nom] if r.nombre is not None]
            agregat.par_region.append((nom, len(regionales[nom]), sum(valeurs, Decimal(0)) if valeurs else None))
        agregats.append(agregat)
    return agregats
