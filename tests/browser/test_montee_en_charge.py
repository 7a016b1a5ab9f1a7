"""Scale-out: two gunicorn instances (A and B) with the production settings, sharing PostgreSQL,
Redis, an S3 endpoint (moto's server mode), one task worker (`manage.py db_worker`) and an SMTP
server (aiosmtpd), every server on a free port of the loopback:

- an attachment uploaded through A downloads through B;
- a log-in lock-out earned on A applies on B;
- a label decided on A shows at once on B's cached public pages;
- the acknowledgement e-mail and receipt of a deposit on A are produced by the worker: the e-mail
  reaches the SMTP server, the receipt is in the bucket;
- the worker killed in the middle of a task and started again: no task is lost.

Then the production smoke test in the same setup, in Chromium: styled home page, log-in, a
deposit with an upload, the receipt downloaded, security headers.

PostgreSQL only (deselected on SQLite); in CI a missing redis-server, moto or Chromium fails.
"""

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.db import connection
from django.urls import reverse

from candidatures import instruction
from candidatures.models import Candidature, Etat
from tests.browser.test_production import STYLED_JS
from tests.candidatures import helpers
from tests.services_locaux import (
    arreter,
    attendre_url,
    free_port,
    moto_s3,
    redis_local,
    s3_storages,
    smtp_local,
)

pytestmark = [pytest.mark.postgresql, pytest.mark.scaleout]

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
MOT_DE_PASSE = helpers.MOT_DE_PASSE


class Pile:
    """The processes of the setup, each stopped by its own id at the end."""

    def __init__(self, tmp: Path, env: dict):
        self.tmp = tmp
        self.env = env
        self.worker: subprocess.Popen | None = None
        self.processus: list[subprocess.Popen] = []

    def _lancer(self, nom: str, commande: list[str]) -> subprocess.Popen:
        log = open(self.tmp / f"{nom}.log", "a")  # noqa: SIM115 — closed with the process
        process = subprocess.Popen(commande, cwd=ROOT, env=self.env, stdout=log, stderr=log)
        self.processus.append(process)
        return process

    def gunicorn(self, nom: str) -> str:
        port = free_port()
        bind = f"127.0.0.1:{port}"
        self._lancer(nom, [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", "-b", bind, "portal.wsgi:application"])
        base = f"http://{bind}"
        attendre_url(base + "/sante/vivant/")
        return base

    def demarrer_worker(self) -> subprocess.Popen:
        commande = [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay", "-v", "2"]
        self.worker = self._lancer("worker", commande)
        return self.worker

    def tuer_worker(self) -> None:
        """SIGKILL: the worker dies at once, its task left « RUNNING » (a crash, an OOM kill)."""
        self.worker.send_signal(signal.SIGKILL)
        self.worker.wait(timeout=10)

    def journaux(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text()[-3000:]}" for log in sorted(self.tmp.glob("*.log")))


@pytest.fixture(scope="module")
def infrastructure(tmp_path_factory):
    """Redis, S3 (moto), SMTP, static files: shared by the tests of this module."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL requis")
    tmp = tmp_path_factory.mktemp("montee-en-charge")
    with redis_local() as (_, redis_port), moto_s3(tmp) as s3, smtp_local() as smtp:
        db = connection.settings_dict
        env = {
            **{k: v for k, v in __import__("os").environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            "DJANGO_SETTINGS_MODULE": "portal.settings_production",
            "SECRET_KEY": "cle-des-tests-de-montee-en-charge-0123456789-abcdefghijklmnop",
            "ALLOWED_HOSTS": "127.0.0.1",
            "SITE_URL": "https://cites-educatives.example.gouv.fr",
            "CONTACT_ACCESSIBILITE_EMAIL": "accessibilite@anct.gouv.fr",
            "CONTACT_DONNEES_EMAIL": "dpd@anct.gouv.fr",
            "HEBERGEUR": "Hébergeur des tests, 1 rue de l'Exemple, 75000 Paris",
            "DEBUG": "0",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
            **s3.env,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "TASKS_RETRY_DELAY": "1",
            "TASKS_RUNNING_TIMEOUT": "3",
            "SECURE_SSL_REDIRECT": "0",  # plain HTTP on the loopback; HTTPS is the proxy's
            "STATIC_ROOT": str(tmp / "static"),
            "MEDIA_ROOT": str(tmp / "media"),
            "PRIVATE_MEDIA_ROOT": str(tmp / "prive-local-jamais-utilise"),
            "MAP_TILES_URL": "",
            "GUNICORN_WORKERS": "2",
            "GUNICORN_GRACEFUL_TIMEOUT": "5",
            "LOG_REQUESTS": "0",
            "PYTHONPATH": str(ROOT),
        }
        env.pop("TASKS_BACKEND", None)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
        yield {"env": env, "s3": s3, "smtp": smtp, "tmp": tmp}


@pytest.fixture
def pile(infrastructure, reference_data, settings, tmp_path):
    # This process writes its set-up files (the attachments of complete candidatures) to the bucket too.
    settings.STORAGES = s3_storages(infrastructure["s3"], settings.STORAGES)
    infrastructure["smtp"].messages.clear()
    infrastructure["smtp"].pause = 0
    pile = Pile(tmp_path, infrastructure["env"])
    pile.a = pile.gunicorn("gunicorn-a")
    pile.b = pile.gunicorn("gunicorn-b")
    pile.demarrer_worker()
    yield pile
    for process in reversed(pile.processus):
        arreter(process)


class Client(requests.Session):
    """A browser-like client for both instances: it sends its cookies to A and B although the
    production cookies are `Secure` (the HTTPS proxy is not there on the loopback), and follows
    no redirect by itself (a followed redirect would drop them)."""

    def prepare_request(self, request):
        prepared = super().prepare_request(request)
        if self.cookies:
            prepared.headers["Cookie"] = "; ".join(f"{c.name}={c.value}" for c in self.cookies)
        return prepared

    def request(self, method, url, **kwargs):
        kwargs.setdefault("allow_redirects", False)
        kwargs.setdefault("timeout", 20)
        return super().request(method, url, **kwargs)


def session() -> Client:
    return Client()


def jeton(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def connexion(client: requests.Session, base: str, email: str, mot_de_passe: str, *, admin: bool = False):
    url = base + ("/admin/login/" if admin else "/comptes/connexion/")
    formulaire = client.get(url, timeout=10).text
    return client.post(
        url, {"csrfmiddlewaretoken": jeton(formulaire), "username": email, "password": mot_de_passe}, timeout=10
    )


def attendre(condition, *, secondes: float = 60, message: str = ""):
    limite = time.monotonic() + secondes
    while time.monotonic() < limite:
        resultat = condition()
        if resultat:
            return resultat
        time.sleep(0.2)
    raise AssertionError(message or "condition jamais remplie")


def test_two_app_servers_share_files_lockouts_cache_tasks_and_lose_no_task_then_smoke_in_chromium(
    pile, infrastructure, chromium, tmp_path
):
    """One test, so that the reference data is loaded once (a transactional test flushes it)."""
    s3, smtp = infrastructure["s3"], infrastructure["smtp"]
    appel = helpers.appel_permanent()
    porteur = helpers.porteur(email="porteur@toulouse.fr", commune="31555")
    candidature = helpers.candidature_complete(user=porteur, appel=appel)
    helpers.agent(email="agent@occitanie.gouv.fr", region="76")
    anct = helpers.agent(email="agent@anct.gouv.fr", region=None)
    helpers.porteur(email="verrou@toulouse.fr", commune="31555")

    # 1. An attachment uploaded through A downloads through B.
    client = session()
    assert connexion(client, pile.a, porteur.email, MOT_DE_PASSE).headers["Location"] == "/candidatures/"
    pieces = pile.a + reverse("candidatures:etape", kwargs={"pk": candidature.pk, "etape": "pieces"})
    contenu = helpers.pdf_bytes("Convention de partenariat déposée par le serveur A")
    reponse = client.post(
        pieces,
        data={"csrfmiddlewaretoken": jeton(client.get(pieces, timeout=10).text), "type": "autre"},
        files={"fichier": ("convention.pdf", contenu, "application/pdf")},
        timeout=20,
        allow_redirects=False,
    )
    assert reponse.status_code == 302, reponse.text[:500]
    piece = candidature.pieces.get(nom="convention.pdf")
    assert f"prive/{piece.fichier.name}" in s3.objets()
    telechargement = client.get(
        pile.b + reverse("candidatures:piece", kwargs={"pk": candidature.pk, "piece_pk": piece.pk}), timeout=10
    )
    assert telechargement.status_code == 200 and telechargement.content == contenu

    # 2. A log-in lock-out earned on A applies on B, even with the right password.
    attaquant = session()
    for _ in range(5):
        assert connexion(attaquant, pile.a, "verrou@toulouse.fr", "mauvais-mot-de-passe").status_code == 200
    page = connexion(attaquant, pile.b, "verrou@toulouse.fr", MOT_DE_PASSE).text
    assert "Trop de tentatives de connexion ont échoué pour ce compte depuis votre connexion internet" in page

    # 3. A label decided on A shows at once on B's cached public pages.
    a_labelliser = helpers.candidature_complete(
        user=helpers.porteur(email="porteur@lyon.fr", commune="69123"), appel=appel
    )
    Candidature.objects.filter(pk=a_labelliser.pk).update(titre="Cité éducative des Deux Serveurs")
    a_labelliser = helpers.placer(a_labelliser, Etat.EN_INSTRUCTION)
    ara = helpers.agent(email="agent@ara.gouv.fr", region="84")
    helpers.evaluer_tout(candidature=a_labelliser, agent=ara)
    instruction.candidature_give_opinion(candidature=a_labelliser, agent=ara, avis="favorable", motif="Solide.")
    liste = pile.b + "/cites/?q=Deux+Serveurs"
    avant = requests.get(liste, timeout=10).text
    requests.get(liste, timeout=10)  # B serves it from the shared cache now
    agent = session()
    connexion(agent, pile.a, anct.email, MOT_DE_PASSE, admin=True)
    ecran = pile.a + reverse("admin:candidatures_candidature_change", args=[a_labelliser.pk])
    decision = agent.post(
        ecran,
        {
            "csrfmiddlewaretoken": jeton(agent.get(ecran, timeout=10).text),
            "action": "transition",
            "cible": "labellisee",
            "cite_choix": "nouvelle",  # the agent's choice: a new cité (issue 10)
            "message": "Un projet partagé par tous les acteurs.",
            "evenement_vu": a_labelliser.evenements.order_by("-pk").first().pk,
        },
        timeout=20,
    )
    assert decision.status_code == 302, decision.text[:500]
    a_labelliser.refresh_from_db()
    assert a_labelliser.etat == Etat.LABELLISEE
    lien = f'href="{a_labelliser.cite.get_absolute_url()}"'
    assert lien not in avant
    assert lien in requests.get(liste, timeout=10).text

    # 4. A deposit on A: the acknowledgement e-mail and the receipt come from the worker. The
    # attachment of step 1 changed the content: the troïka confirms it again (the open call's rule).
    helpers.troika_confirmer(candidature=candidature, user=porteur)
    recap = pile.a + reverse("candidatures:etape", kwargs={"pk": candidature.pk, "etape": "recapitulatif"})
    depot = client.post(
        pile.a + reverse("candidatures:deposer", kwargs={"pk": candidature.pk}),
        {"csrfmiddlewaretoken": jeton(client.get(recap, timeout=10).text)},
        timeout=20,
    )
    candidature.refresh_from_db()
    assert candidature.etat == Etat.DEPOSEE, depot.text[:500]
    detail = client.get(pile.b + depot.headers["Location"]).text  # the message follows the session to B
    assert f"Votre candidature est déposée sous la référence {candidature.reference}" in detail
    messages = attendre(
        lambda: [m for m in smtp.messages if porteur.email in m["To"] and candidature.reference in m["Subject"]],
        message="accusé de réception jamais arrivé au serveur SMTP\n" + pile.journaux(),
    )
    assert len(messages) == 1
    cle = f"prive/recepisses/recepisse-{candidature.reference}.pdf"
    attendre(lambda: cle in s3.objets(), message="récépissé absent du compartiment\n" + pile.journaux())
    recu = client.get(pile.b + reverse("candidatures:recepisse", kwargs={"pk": candidature.pk}), timeout=10)
    assert recu.status_code == 200 and recu.content.startswith(b"%PDF-")

    # 5. The worker killed in the middle of a task (the SMTP server is slow), then started again.
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    from candidatures.tasks import email_send

    smtp.pause = 30
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        email_send.enqueue(subject="Rappel", body="Question au serveur A\n", to=[porteur.email])
    en_cours = attendre(
        lambda: DBTaskResult.objects.filter(status="RUNNING").first(), message="la tâche n'a jamais démarré"
    )
    time.sleep(0.5)  # the worker is talking to the slow SMTP server
    pile.tuer_worker()
    assert DBTaskResult.objects.get(pk=en_cours.pk).status == "RUNNING"  # left by the dead worker
    smtp.pause = 0
    time.sleep(3)  # TASKS_RUNNING_TIMEOUT of this setup
    pile.demarrer_worker()
    attendre(
        lambda: DBTaskResult.objects.get(pk=en_cours.pk).status == "SUCCESSFUL",
        message="tâche perdue après l'arrêt du worker\n" + pile.journaux(),
    )
    assert len(DBTaskResult.objects.get(pk=en_cours.pk).worker_ids) == 2
    assert [m for m in smtp.messages if "Question au serveur A" in m.get_content()]
    assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()

    # 6. The production smoke test, in Chromium, on the same setup.
    parcours_de_production(pile, chromium, tmp_path)


def parcours_de_production(pile, chromium, tmp_path):
    """Styled home page and headers, log-in, a deposit with an upload, the receipt downloaded."""
    appel = helpers.appel_permanent()
    porteur = helpers.porteur(email="chromium@toulouse.fr", commune="31555")
    candidature = helpers.candidature_complete(user=porteur, appel=appel)

    context = chromium.new_context(base_url=pile.a, locale="fr-FR", accept_downloads=True)
    context.set_default_timeout(15_000)
    from tests.browser.conftest import listen_to_csp_violations

    violations = listen_to_csp_violations(context)
    erreurs = []
    page = context.new_page()
    page.on("pageerror", lambda error: erreurs.append(str(error)))
    reponse = page.goto("/")
    styled = page.evaluate(STYLED_JS)
    assert styled["stylesheets"] and all(regles > 100 for regles in styled["stylesheets"]), styled
    assert styled["bodyFont"].startswith("Marianne")
    entetes = reponse.headers
    assert "'nonce-" in entetes["content-security-policy"] and "unsafe-inline" not in entetes["content-security-policy"]
    assert entetes["x-frame-options"] == "DENY" and entetes["x-content-type-options"] == "nosniff"
    assert "camera=()" in entetes["permissions-policy"]

    page.goto("/comptes/connexion/")
    page.locator("#id_username").fill(porteur.email)
    page.locator("#id_password").fill(MOT_DE_PASSE)
    page.get_by_role("button", name="Se connecter").click()
    page.goto(reverse("candidatures:etape", kwargs={"pk": candidature.pk, "etape": "pieces"}))
    fichier = tmp_path / "annexe-budgetaire.pdf"
    fichier.write_bytes(helpers.pdf_bytes("Annexe budgétaire"))
    page.locator("#id_type").select_option("autre")
    page.locator("#id_fichier").set_input_files(str(fichier))
    page.get_by_role("button", name="Ajouter la pièce").click()
    page.locator(".fr-alert--success", has_text="annexe-budgetaire.pdf").wait_for()
    helpers.troika_confirmer(candidature=candidature, user=porteur)  # the annex changed what it confirmed
    page.goto(reverse("candidatures:etape", kwargs={"pk": candidature.pk, "etape": "recapitulatif"}))
    page.get_by_role("button", name="Déposer la candidature").click()
    page.locator(".fr-alert--success", has_text="Votre candidature est déposée").wait_for()
    candidature.refresh_from_db()
    assert candidature.etat == Etat.DEPOSEE

    # The worker writes the receipt to the bucket; the porteur reloads the page and downloads it.
    lien = page.get_by_role("link", name="Télécharger le récépissé (PDF)")
    for _ in range(60):
        if lien.count():
            break
        time.sleep(0.5)
        page.reload()
    with page.expect_download() as telechargement:
        lien.click()
    assert telechargement.value.suggested_filename == f"recepisse-{candidature.reference}.pdf"
    with open(telechargement.value.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"
    context.close()
    assert violations == [] and erreurs == []
