"""Build porteurs, agents and complete candidatures through the services, as users would."""

import io
import zipfile

from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from candidatures import services
from candidatures.models import AppelAProjets, Candidature, ProfilAgent, ProfilPorteur
from candidatures.permissions import GROUPE_AGENTS_NATIONAUX, GROUPE_AGENTS_REGIONAUX
from cites.models import Commune, Etablissement, Qpv, Region

MOT_DE_PASSE = "Cites-educatives-2026"


def pdf_bytes(texte: str = "Délibération du conseil municipal") -> bytes:
    """A real one-page PDF (reportlab), as a porteur would attach."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    document = canvas.Canvas(buffer)
    document.drawString(72, 720, texte)
    document.save()
    return buffer.getvalue()


PDF = pdf_bytes()


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


DOCX = zip_bytes(
    {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types><Override PartName="/word/document.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        "word/document.xml": b"<w:document/>",
    }
)
XLSX = zip_bytes(
    {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types><Override PartName="/xl/workbook.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
    }
)
ODS = zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<office/>"})


def ensure_groupes_et_appels() -> None:
    """After a live-server test flushed the database, recreate what the data migration creates."""
    import importlib

    from django.apps import apps

    if not AppelAProjets.objects.exists() or not Group.objects.filter(name=GROUPE_AGENTS_REGIONAUX).exists():
        migration = importlib.import_module("candidatures.migrations.0002_groupes_appels_criteres")
        migration.creer(apps, None)
        # The data migration of issue 13: the 2024 rules of the calls (criteria chef de file, IPS, modes).
        importlib.import_module("candidatures.migrations.0013_regles_2024").regles_2024(apps, None)
        # The rule of the open call (issue 13): the troïka confirms the candidature before its deposit.
        importlib.import_module("candidatures.migrations.0018_personnes_candidature_troika").confirmation_troika_2024(
            apps, None
        )
        from candidatures.roles import roles_permissions_synchroniser

        roles_permissions_synchroniser(appliquer=True)


def appel_permanent() -> AppelAProjets:
    ensure_groupes_et_appels()
    return AppelAProjets.objects.get(ouvert_toute_annee=True)


def porteur(*, email: str, commune: str, valide: bool = True, confirme: bool = True):
    ensure_groupes_et_appels()
    collectivite = services.collectivite_get_or_create_commune(commune=Commune.objects.get(code=commune))
    user = services.porteur_register(
        email=email, password=MOT_DE_PASSE, prenom="Camille", nom="Martin", collectivite=collectivite
    )
    profil = user.profil_porteur
    if confirme:
        profil.email_confirme_le = profil.cree_le
        profil.save()
    if valide:
        ProfilPorteur.objects.filter(pk=profil.pk).update(statut=ProfilPorteur.Statut.VALIDE)
    user.refresh_from_db()
    return user


def agent(*, email: str, region: str | None):
    from django.contrib.auth import get_user_model

    ensure_groupes_et_appels()
    user = get_user_model().objects.create_user(
        username=email, email=email, password=MOT_DE_PASSE, first_name="Dominique", last_name="Agent", is_staff=True
    )
    if region is None:
        user.groups.add(Group.objects.get(name=GROUPE_AGENTS_NATIONAUX))
        ProfilAgent.objects.create(user=user, service="ANCT", institution="anct")
    else:
        user.groups.add(Group.objects.get(name=GROUPE_AGENTS_REGIONAUX))
        ProfilAgent.objects.create(
            user=user, region=Region.objects.get(code=region), service="DRAJES", institution="drajes"
        )
    return user


TROIKA = {
    "troika_prefecture": ("Pia Préfète", "sous-préfète à la ville", "pia.prefete@haute-garonne.gouv.fr"),
    "troika_education": ("Damien Dasen", "DASEN", "damien.dasen@ac-toulouse.fr"),
    "troika_collectivite": ("Maud Maire", "adjointe à l'éducation", "maud.maire@mairie-toulouse.fr"),
}


def troika_indiquer(*, candidature: Candidature, user) -> list:
    """The porteur names the three representatives of the troïka (helpers.TROIKA)."""
    from candidatures import personnes

    return [
        personnes.personne_save(candidature=candidature, user=user, role=role, nom=nom, fonction=fonction, email=email)
        for role, (nom, fonction, email) in TROIKA.items()
    ]


def troika_confirmer(*, candidature: Candidature, user, roles=tuple(TROIKA)) -> None:
    """The porteur names the troïka and asks it to confirm; each representative in `roles` confirms
    (as following their signed link would: candidatures.personnes.troika_confirmer)."""
    from candidatures import personnes
    from candidatures.models import PersonneCandidature

    if candidature.personnes.filter(role__in=TROIKA).count() < 3:
        troika_indiquer(candidature=candidature, user=user)
    from candidatures.troika import troika_confirmations

    if not all(c.confirmee for c in troika_confirmations(candidature=candidature)):
        personnes.troika_demander(candidature=candidature, user=user)
    for personne in PersonneCandidature.objects.filter(candidature=candidature, role__in=roles):
        personnes.troika_confirmer(personne=personne)


def remplir(
    *, candidature: Candidature, user, qpv: str | None = None, rep_plus: int = 2, troika: bool = True
) -> Candidature:
    """Fill every step with plausible content, as a porteur would through the form; with `troika`,
    the three representatives of the troïka are named and confirm it (the open call requires it)."""
    communes = list(candidature.communes.all())
    qpvs = list(Qpv.objects.filter(communes__in=communes, generation=2024).order_by("code"))
    if qpv:
        qpvs = [q for q in qpvs if q.code == qpv]
    services.candidature_update(
        candidature=candidature,
        user=user,
        etape="territoire",
        champs={"titre": "Cité éducative du Grand Mirail"},
        relations={"communes": communes, "qpvs": qpvs[:1]},
    )
    ecoles = list(
        Etablissement.objects.filter(commune__in=communes, education_prioritaire="REP+", type="Ecole").order_by("uai")[
            :rep_plus
        ]
    )
    college = Etablissement.objects.filter(commune__in=communes, type="Collège", education_prioritaire="REP+").first()
    services.candidature_update(
        candidature=candidature,
        user=user,
        etape="ecoles",
        champs={
            "college_chef_de_file": college,
            "college_chef_de_file_autre": "" if college else "Collège Jean Moulin (0310000A)",
            "etablissements_hors_referentiel": "" if ecoles else "École Jules Ferry (0310001B), REP+",
        },
        relations={"etablissements": ecoles},
    )
    services.candidature_update(
        candidature=candidature,
        user=user,
        etape="diagnostic",
        champs={"diagnostic": "Un retard scolaire marqué dès le CP."},
        lignes=[
            {
                "categorie": "scolaire",
                "libelle": "Élèves en retard à l'entrée en 6e",
                "valeur": "18 %",
                "annee": 2024,
                "source": "DEPP",
            },
            {
                "categorie": "social",
                "libelle": "Familles monoparentales",
                "valeur": "32 %",
                "annee": 2021,
                "source": "INSEE",
            },
            {
                "categorie": "economique",
                "libelle": "Taux de pauvreté",
                "valeur": "44 %",
                "annee": 2021,
                "source": "INSEE",
            },
        ],
    )
    services.candidature_update(
        candidature=candidature,
        user=user,
        etape="actions",
        lignes=[
            {
                "titre": "Petits déjeuners à l'école",
                "objectif": "ecole",
                "temps_avant": True,
                "age_min": 3,
                "age_max": 11,
                "existante": True,
                "familles_partenaires": ["maison"],
                "budget": 12000,
            },
            {
                "titre": "Classes à horaires aménagés musique",
                "objectif": "possibles",
                "temps_pendant": True,
                "temps_apres": True,
                "age_min": 11,
                "age_max": 15,
                "familles_partenaires": ["culture"],
                "budget": 30000,
            },
        ],
    )
    services.candidature_update(
        candidature=candidature,
        user=user,
        etape="pilotage",
        champs={
            "troika_prefecture": "Sous-préfète à la ville",
            "troika_education": "Principal du collège chef de file",
            "troika_collectivite": "Adjointe à l'éducation",
            "chef_de_projet_nom": "Alex Durand",
            "chef_de_projet_email": "alex.durand@mairie.fr",
            "gouvernance": "Comité de pilotage trimestriel.",
            "actions_ressources": "Programme de réussite éducative.",
            "actions_complementaires": "Tiers-lieu éducatif.",
        },
    )
    services.candidature_update(
        candidature=candidature,
        user=user,
        etape="budget",
        lignes=[
            {"annee": 2026, "cofinanceur": "État", "objet": "Actions", "montant": 150000},
            {"annee": 2026, "cofinanceur": "Commune", "objet": "Actions", "montant": 50000},
        ],
    )
    services.candidature_update(
        candidature=candidature,
        user=user,
        etape="communication",
        champs={"plan_communication": "Lettre trimestrielle.", "demarche_evaluation": "Évaluation annuelle."},
    )
    services.piece_add(
        candidature=candidature,
        user=user,
        type="deliberation",
        fichier=SimpleUploadedFile("deliberation.pdf", PDF, content_type="application/pdf"),
    )
    if troika:
        troika_confirmer(candidature=candidature, user=user)
    candidature.refresh_from_db()
    return candidature


def candidature_complete(*, user, appel: AppelAProjets, **kwargs) -> Candidature:
    candidature = services.candidature_create(user=user, appel=appel)
    return remplir(candidature=candidature, user=user, **kwargs)


# --- Instruction (issue 4) -------------------------------------------------------------------


def placer(candidature: Candidature, etat: str) -> Candidature:
    """Test set-up only: put a candidature in a state (the application goes through candidature_transition)."""
    from django.utils import timezone

    Candidature.objects.filter(pk=candidature.pk).update(
        etat=etat,
        reference=candidature.reference or f"CE-2099-{candidature.pk:04d}",
        depose_le=timezone.now(),
        dernier_changement=timezone.now(),
    )
    candidature.refresh_from_db()
    return candidature


def evaluer_tout(*, candidature: Candidature, agent, appreciation: str = "conforme") -> None:
    from candidatures import instruction

    instruction.evaluations_save(
        candidature=candidature,
        agent=agent,
        saisies=[(c, appreciation, "Vu.") for c in candidature.appel.criteres.all()],
    )


def candidatures_en_masse(*, user, appel: AppelAProjets, nombre: int, prefixe: str, etat: str = "deposee") -> list:
    """Many filed candidatures at once (bulk, for list and export measures), each with its deposit event."""
    from django.utils import timezone

    from candidatures.models import EvenementCandidature

    collectivite = user.profil_porteur.collectivite
    now = timezone.now()
    objets = Candidature.objects.bulk_create(
        [
            Candidature(
                appel=appel,
                collectivite=collectivite,
                cree_par=user,
                etat=etat,
                reference=f"CE-{prefixe}-{i:05d}",
                depose_le=now,
                dernier_changement=now,
                titre=f"Projet {prefixe} n° {i}",
                verifications="conforme",
            )
            for i in range(nombre)
        ]
    )
    objets = list(Candidature.objects.filter(reference__startswith=f"CE-{prefixe}-").order_by("pk"))
    EvenementCandidature.objects.bulk_create(
        [EvenementCandidature(candidature=c, auteur=user, etat_avant="brouillon", etat_apres=etat) for c in objets]
    )
    Through = Candidature.communes.through
    if collectivite.commune_id:
        Through.objects.bulk_create([Through(candidature_id=c.pk, commune_id=collectivite.commune_id) for c in objets])
    return objets


def sessions_terminer() -> None:
    """Every session ends, as when its owner logged out elsewhere or it expired: through the
    session store, so that a cached copy (the `cached_db` engine used with Redis) ends too."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.sessions.models import Session

    store = import_module(settings.SESSION_ENGINE).SessionStore
    for cle in Session.objects.values_list("session_key", flat=True):
        store(session_key=cle).delete()
