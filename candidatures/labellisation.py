"""The label decision: « labellisée » publishes the cité the candidature describes.

Either it creates the `CiteEducative` (communes, QPVs, schools, collège chef de file, partner
network and actions of the candidature), published at once; or, when the candidature names a
cité to extend (`cite_etendue`), it adds the candidature's territory, partners and actions to
that cité with an *extension* event; or, when the candidature renews a cité
(`renouvellement_de`), it renews that cité's label (`cites.services.cite_renew`: a *renewal*
event, the cité « renouvelée », a new end of funding) and adds the candidature's new partners
and actions to it. Either way the candidature keeps a link to its cité, and the candidature's
people (troïka, CPO, principal) become the cité's (`cites.services.cite_personnes_reprendre`): all
of them for a new cité, with the porteur who filed it as its référent; those whose role the cité
lacks for an extension; for a renewal, they replace the cité's active people of the same role (the
former ones kept, inactive).

`effet_labellisation` is the side effect of the transition avis émis → labellisée
(`candidatures.workflow.effets.EFFETS`): it runs inside the transition's transaction, with the candidature locked.
`candidature_labelliser` is idempotent: once the candidature is linked to its cité, a second
call changes nothing.
"""

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from candidatures import permissions
from candidatures.acteurs import user_is_anonymised
from candidatures.models import Candidature, Etat, FicheAction
from candidatures.workflow.etats import etat_get
from cites import services as cite_services
from cites.cache import public_cache_invalidate
from cites.models import CiteEducative, EvenementLabel, PersonneCite
from cites.search import search_fold_text
from partenaires import services as partenaire_services
from partenaires.models import Action, Famille, LienPartenaire, Partenaire
from portal.workflow import TransitionRefusee


@dataclass
class ResultatLabellisation:
    cite: CiteEducative
    creee: bool = False  # a new cité (else an extension of an existing one)
    deja_faite: bool = False  # a second call: nothing changed
    communes_ajoutees: list = field(default_factory=list)
    actions_creees: int = 0
    partenaires_lies: int = 0
    fiches_ignorees: list[str] = field(default_factory=list)  # fiches that cannot make a public action


# --- Partners named in the fiches action ----------------------------------------------------

# Words that place a partner in one of the seven families when a fiche names several families
# (or none). The longest matching word wins: « médiathèque » is a cultural place, not a
# « médiat(eur) social ».
MOTS_FAMILLES: dict[str, tuple[str, ...]] = {
    Famille.MAISON: (r"parent", r"famille", r"voisin", r"habitant", r"fcpe\b", r"peep\b"),
    Famille.ETAT: (
        r"caf\b",
        r"prefecture",
        r"prefet",
        r"etat\b",
        r"drajes\b",
        r"dasen\b",
        r"education nationale",
        r"rectorat",
        r"academie",
        r"france travail",
        r"pole emploi",
        r"ars\b",
        r"police",
        r"gendarmerie",
        r"pjj\b",
        r"protection judiciaire",
    ),
    Famille.CULTURE: (
        r"mediatheque",
        r"bibliotheque",
        r"ludotheque",
        r"musee",
        r"museum",
        r"theatre",
        r"conservatoire",
        r"cinema",
        r"spectacle",
        r"opera",
        r"orchestre",
        r"scene",
        r"numerique",
        r"culture",
        r"culturel",
        r"compagnie",
        r"artiste",
    ),
    Famille.COLLECTIVITES: (
        r"mairie",
        r"ville de",
        r"commune\b",
        r"conseil departemental",
        r"conseil regional",
        r"departement",
        r"region\b",
        r"metropole",
        r"agglomeration",
        r"communaute de communes",
    ),
    Famille.QUARTIER: (
        r"medecin",
        r"sante",
        r"pmi\b",
        r"pharmacie",
        r"commercant",
        r"commerce de",
        r"club",
        r"sport",
        r"orthophon",
        r"infirmi",
    ),
    Famille.SOCIAL: (
        r"mission locale",
        r"centre social",
        r"centres sociaux",
        r"mediat",
        r"ccas\b",
        r"maison de quartier",
        r"maison des jeunes",
        r"mjc\b",
        r"prevention specialisee",
        r"educateur",
        r"afev\b",
        r"social",
    ),
    Famille.ENTREPRISES: (
        r"entreprise",
        r"stage",
        r"tuteur",
        r"mentor",
        r"parrain",
        r"fondation",
        r"cci\b",
        r"chambre de commerce",
        r"medef\b",
        r"sarl\b",
        r"sas\b",
    ),
}
_MOTS = {famille: [re.compile(r"\b" + mot) for mot in mots] for famille, mots in MOTS_FAMILLES.items()}
_ROLE = re.compile(r"^(?P<nom>.+?)\s*(?::|–|—|\s-\s)\s*(?P<role>.+)$")
_ROLE_PARENTHESES = re.compile(r"^(?P<nom>.+?)\s*\((?P<role>[^()]+)\)\s*$")


def partenaires_lire(texte: str) -> list[tuple[str, str]]:
    """The (name, role) pairs of a fiche's free text: one partner per line or per « ; »;
    « Nom : rôle », « Nom — rôle » or « Nom (rôle) »; a line without a role may list several
    names separated by commas."""
    lus: list[tuple[str, str]] = []
    for ligne in re.split(r"[\n;]+", texte or ""):
        ligne = ligne.strip().lstrip("-•*·").strip()
        if not ligne:
            continue
        match = _ROLE.match(ligne) or _ROLE_PARENTHESES.match(ligne)
        if match:
            noms, role = [match["nom"]], match["role"]
        else:
            noms, role = ligne.split(","), ""
        role = " ".join(role.split()).rstrip(" .")
        for nom in noms:
            nom = " ".join(nom.split()).strip(" .")
            if nom:
                lus.append((nom[:200], role[:300]))
    return lus


def famille_deviner(nom: str, *, parmi: list[str]) -> str | None:
    """The family among `parmi` whose longest keyword appears in `nom` (None when none does)."""
    texte = search_fold_text(nom)
    meilleure, longueur = None, 0
    for famille in parmi:
        for motif in _MOTS.get(famille, ()):
            match = motif.search(texte)
            if match and len(match.group(0)) > longueur:
                meilleure, longueur = famille, len(match.group(0))
    return meilleure


def _fiche_partenaires(fiche: FicheAction) -> tuple[list[tuple[str, str, str]], list[str]]:
    """(name, family, role) of each partner named by the fiche, and the names no family fits."""
    familles = [f for f in Famille.values if f in (fiche.familles_partenaires or [])]
    classes, inclassables = [], []
    for nom, role in partenaires_lire(fiche.partenaires):
        if len(familles) == 1:
            famille = familles[0]
        elif familles:
            famille = famille_deviner(nom, parmi=familles) or familles[0]
        else:
            famille = famille_deviner(nom, parmi=Famille.values)
        if famille is None:
            inclassables.append(nom)
        else:
            classes.append((nom, famille, role))
    return classes, inclassables


# --- The cité -------------------------------------------------------------------------------

_PREFIXE_NOM = re.compile(r"^\s*cit[ée]s?\s+[ée]ducatives?\b\s*(?:de la |de l['’]|du |des |de |d['’])?", re.IGNORECASE)


def cite_nom_from_candidature(candidature: Candidature) -> str:
    """The cité's public name, as the ANCT list writes them (« Allonnes », « Amiens Nord »):
    the project name without a leading « Cité éducative de », else the collectivité's name."""
    nom = _PREFIXE_NOM.sub("", candidature.titre or "").strip(" -–—")
    nom = nom[:1].upper() + nom[1:] if nom else candidature.collectivite.nom
    return nom[:200]


def _slug_unique(nom: str, *, complement: str) -> str:
    base = slugify(nom)[:200] or "cite"
    essais = [base]
    if complement and slugify(complement) not in base:
        essais.append(f"{base}-{slugify(complement)}"[:210])
    pris = set(CiteEducative.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    for slug in essais:
        if slug not in pris:
            return slug
    numero = 2
    while f"{base}-{numero}" in pris:
        numero += 1
    return f"{base}-{numero}"


# The label funds three calendar years, the decision's included (renewal after three years, DESIGN §3).
DUREE_LABEL_ANNEES = 3


def fin_financement_proposee(candidature: Candidature, *, date: datetime.date) -> datetime.date:
    """The end of the funding period a label decided on `date` opens: 31 December of the third
    year (the decision's year counted), or of the last year of the candidature's budget when it
    goes further."""
    derniere = max(candidature.lignes_budget.values_list("annee", flat=True), default=None)
    annee = date.year + DUREE_LABEL_ANNEES - 1
    if derniere is not None and derniere > annee:
        annee = derniere
    return datetime.date(annee, 12, 31)


def fin_financement_renouvellement(
    candidature: Candidature, *, cite: CiteEducative, date: datetime.date
) -> datetime.date:
    """The end of the funding a renewal decided on `date` opens: three calendar years from the
    year after the cité's current funding ends (the cités labelled in 2022, funded to the end of
    2024 and renewed at the end of 2024, are funded for 2025–2027), or from the decision's year when
    that is later; or the last year of the candidature's budget when it goes further."""
    debut = date.year
    if cite.fin_financement is not None:
        debut = max(debut, cite.fin_financement.year + 1)
    annee = debut + DUREE_LABEL_ANNEES - 1
    derniere = max(candidature.lignes_budget.values_list("annee", flat=True), default=None)
    if derniere is not None and derniere > annee:
        annee = derniere
    return datetime.date(annee, 12, 31)


def _etablissements(candidature: Candidature) -> list:
    etablissements = list(candidature.etablissements.all())
    if candidature.college_chef_de_file_id and all(e.pk != candidature.college_chef_de_file_id for e in etablissements):
        etablissements.append(candidature.college_chef_de_file)
    return etablissements


def _reseau_et_actions(*, cite: CiteEducative, candidature: Candidature, resultat: ResultatLabellisation) -> None:
    """Partners (get or create by name and family), their links to the cité, and one public
    action per complete fiche action of the candidature."""
    fiches = list(candidature.fiches_action.all())
    # A partner's link is the stronger the more actions it takes part in: 1 ponctuelle,
    # 2 régulière, 3 or more forte.
    actions_par_partenaire: dict[int, int] = defaultdict(int)
    roles: dict[int, str] = {}
    partenaires: dict[int, Partenaire] = {}
    titres_existants = {
        search_fold_text(t): pk for pk, t in Action.objects.filter(cite=cite).values_list("pk", "titre")
    }
    for fiche in fiches:
        classes, inclassables = _fiche_partenaires(fiche)
        lies = []
        for nom, famille, role in classes:
            partenaire = partenaire_services.partenaire_get_or_create(nom=nom, famille=famille)
            partenaires[partenaire.pk] = partenaire
            if partenaire not in lies:
                lies.append(partenaire)
                actions_par_partenaire[partenaire.pk] += 1
            if role and not roles.get(partenaire.pk):
                roles[partenaire.pk] = role
        temps = fiche.temps_avant or fiche.temps_pendant or fiche.temps_apres
        if not fiche.objectif or not temps:
            resultat.fiches_ignorees.append(fiche.titre)
            continue
        existante = titres_existants.get(search_fold_text(fiche.titre))
        if existante is not None:  # the same action, carried on by the extension
            partenaire_services.action_partenaires_add(action_id=existante, partenaires=lies)
            continue
        description = fiche.description.strip()
        if inclassables:
            autres = "Autres partenaires : " + ", ".join(inclassables) + "."
            description = f"{description}\n\n{autres}" if description else autres
        age_min = fiche.age_min if fiche.age_min is not None else 0
        age_max = fiche.age_max if fiche.age_max is not None else 25
        action = partenaire_services.action_create(
            cite=cite,
            partenaires=lies,
            titre=fiche.titre,
            objectif=fiche.objectif,
            temps_avant=fiche.temps_avant,
            temps_pendant=fiche.temps_pendant,
            temps_apres=fiche.temps_apres,
            age_min=min(age_min, age_max),
            age_max=max(age_min, age_max),
            existante=fiche.existante,
            budget=fiche.budget,
            description=description,
            indicateurs=fiche.indicateurs,
            valide=False,  # typed by the porteur: public once an agent has validated it
        )
        titres_existants[search_fold_text(fiche.titre)] = action.pk
        resultat.actions_creees += 1

    for pk, nombre in actions_par_partenaire.items():
        partenaire_services.lien_partenaire_renforcer(
            cite=cite,
            partenaire=partenaires[pk],
            force=min(nombre, LienPartenaire.Force.FORTE),
            role=roles.get(pk, ""),
            valide=False,  # typed by the porteur
        )
        resultat.partenaires_lies += 1


# --- The people of the cité ------------------------------------------------------------------


def _porteur_deposant(candidature: Candidature):
    """Who filed the candidature: the author of its first deposit (else its creator), when that
    account is still active, not anonymised and has an e-mail — None otherwise."""
    depot = candidature.evenements.filter(etat_apres=Etat.DEPOSEE).order_by("date", "pk").first()
    user = depot.auteur if depot is not None and depot.auteur_id else candidature.cree_par
    if user is None or not user.is_active or not user.email or user_is_anonymised(user):
        return None
    return user


def _personnes_reprendre(
    *, cite: CiteEducative, candidature: Candidature, remplacer: bool, referent_porteur: bool = False
) -> None:
    """The candidature's troïka, CPO and principal become the cité's people (cites service); for a
    new cité, the porteur who filed it becomes its référent — who fills the yearly revue
    (PersonneCite.ROLES_REFERENTS)."""
    reprises = [
        cite_services.PersonneReprise(role=p.role, nom=p.nom, fonction=p.fonction, email=p.email, user=p.user)
        for p in candidature.personnes.select_related("user").order_by("role")
    ]
    porteur = _porteur_deposant(candidature) if referent_porteur else None
    if porteur is not None:
        reprises.append(
            cite_services.PersonneReprise(
                role=PersonneCite.Role.REFERENT,
                nom=porteur.get_full_name() or porteur.email,
                fonction=f"porteur de la candidature {candidature.reference}",
                email=porteur.email,
                user=porteur,
            )
        )
    cite_services.cite_personnes_reprendre(
        cite=cite, personnes=reprises, remplacer=remplacer, reference_decision=candidature.reference or ""
    )


def _description(candidature: Candidature, *, debut: str) -> str:
    return f"{debut} à la suite de la candidature {candidature.reference} ({candidature.collectivite.nom})."


def _cite_create(*, candidature: Candidature, date: datetime.date) -> ResultatLabellisation:
    nom = cite_nom_from_candidature(candidature)
    communes = list(candidature.communes.select_related("departement").order_by("nom"))
    cite = cite_services.cite_label_create(
        nom=nom,
        slug=_slug_unique(nom, complement=communes[0].nom if communes else candidature.collectivite.nom),
        communes=communes,
        qpvs=list(candidature.qpvs.all()),
        etablissements=_etablissements(candidature),
        college_chef_de_file=candidature.college_chef_de_file,
        date=date,
        fin_financement=fin_financement_proposee(candidature, date=date),
        reference_decision=candidature.reference,
        description=_description(candidature, debut="Labellisation"),
        source=f"Candidature {candidature.reference}",
    )
    resultat = ResultatLabellisation(cite=cite, creee=True, communes_ajoutees=communes)
    _reseau_et_actions(cite=cite, candidature=candidature, resultat=resultat)
    _personnes_reprendre(cite=cite, candidature=candidature, remplacer=False, referent_porteur=True)
    return resultat


def _cite_extend(*, candidature: Candidature, date: datetime.date) -> ResultatLabellisation:
    cite, ajouts = cite_services.cite_label_extend(
        cite=CiteEducative.objects.get(pk=candidature.cite_etendue_id),
        communes=list(candidature.communes.order_by("nom")),
        qpvs=list(candidature.qpvs.order_by("nom")),
        etablissements=_etablissements(candidature),
        college_chef_de_file=candidature.college_chef_de_file,
        date=date,
        reference_decision=candidature.reference,
        description=_description(candidature, debut="Extension du périmètre"),
    )
    resultat = ResultatLabellisation(cite=cite, communes_ajoutees=ajouts["communes"])
    _reseau_et_actions(cite=cite, candidature=candidature, resultat=resultat)
    _personnes_reprendre(cite=cite, candidature=candidature, remplacer=False)
    return resultat


def _cite_renew(*, candidature: Candidature, date: datetime.date) -> ResultatLabellisation:
    """The label of a renewal candidature renews its cité: no new cité, no extension."""
    cite = CiteEducative.objects.get(pk=candidature.renouvellement_de_id)
    cite_services.cite_renew(
        cite=cite,
        date=date,
        reference_decision=candidature.reference,
        fin_financement=fin_financement_renouvellement(candidature, cite=cite, date=date),
        description=_description(candidature, debut="Renouvellement du label"),
    )
    cite.refresh_from_db()
    resultat = ResultatLabellisation(cite=cite)
    _reseau_et_actions(cite=cite, candidature=candidature, resultat=resultat)
    _personnes_reprendre(cite=cite, candidature=candidature, remplacer=True)
    return resultat


def candidature_labelliser(*, candidature: Candidature, date: datetime.date | None = None) -> ResultatLabellisation:
    """Create, extend or renew the cité of a candidature being labelled; links the candidature to it.

    Sets `candidature.cite` on the given instance and in the database. Raises ValidationError
    when the candidature cannot make a cité (no commune)."""
    date = date or timezone.localdate()
    with transaction.atomic():
        ligne = Candidature.objects.select_for_update().only("pk", "cite_id").get(pk=candidature.pk)
        deja = ligne.cite_id or (
            EvenementLabel.objects.filter(
                reference_decision=candidature.reference,
                type__in=[
                    EvenementLabel.Type.LABEL,
                    EvenementLabel.Type.EXTENSION,
                    EvenementLabel.Type.RENOUVELLEMENT,
                ],
            )
            .values_list("cite_id", flat=True)
            .first()
            if candidature.reference
            else None
        )
        if deja:
            candidature.cite_id = deja
            Candidature.objects.filter(pk=candidature.pk, cite__isnull=True).update(cite_id=deja)
            return ResultatLabellisation(cite=CiteEducative.objects.get(pk=deja), deja_faite=True)
        if not candidature.communes.exists():
            raise ValidationError("La candidature ne compte aucune commune : la cité éducative ne peut pas être créée.")
        if candidature.renouvellement_de_id:
            resultat = _cite_renew(candidature=candidature, date=date)
        elif candidature.cite_etendue_id:
            resultat = _cite_extend(candidature=candidature, date=date)
        else:
            resultat = _cite_create(candidature=candidature, date=date)
        candidature.cite = resultat.cite
        Candidature.objects.filter(pk=candidature.pk).update(cite=resultat.cite)
        # Actions, links and partners are written one by one and send their signals; the public
        # pages (list, cité page, map, open data) are forgotten once more on commit all the same.
        public_cache_invalidate()
    return resultat


def candidature_set_cite_etendue(*, candidature: Candidature, cite: CiteEducative | None, actor) -> Candidature:
    """An agent says which labelled cité the candidature extends (None: it creates a new one),
    at any time before the decision."""
    with transaction.atomic():
        locked = Candidature.objects.select_for_update().get(pk=candidature.pk)
        if not permissions.is_agent(actor) or not permissions.can_view_candidature(actor, locked):
            raise ValidationError("Seul un agent qui instruit cette candidature peut choisir la cité étendue.")
        if etat_get(locked.etat).final:
            raise ValidationError(
                f"La candidature est « {locked.get_etat_display()} » : la cité étendue ne peut plus changer."
            )
        locked.cite_etendue = cite
        locked.save(update_fields=["cite_etendue", "modifie_le"])
    candidature.cite_etendue = cite
    return locked


def effet_labellisation(*, candidature: Candidature, now) -> None:
    """Side effect of avis émis → labellisée (candidatures.workflow.effets.EFFETS), inside the transition."""
    try:
        candidature._labellisation = candidature_labelliser(candidature=candidature, date=timezone.localdate(now))
    except ValidationError as exc:
        raise TransitionRefusee("La cité éducative n'a pas pu être publiée :", exc.messages) from exc
