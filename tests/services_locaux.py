"""Servers the tests start on the loopback, each on a free port and stopped by its own process id:
an S3 endpoint (moto's server mode), an SMTP server (aiosmtpd) and redis-server."""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prerequis(commande: str, paquet: str) -> str:
    """The path of a program the test needs: missing, the test fails in CI and is skipped elsewhere."""
    chemin = shutil.which(commande) or (str(BIN / commande) if (BIN / commande).exists() else None)
    if chemin is None:
        message = f"{commande} introuvable : {paquet}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return chemin


def attendre_port(port: int, *, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"rien n'écoute sur le port {port} après {seconds} s")


def arreter(process: subprocess.Popen, *, seconds: float = 20) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class S3Local:
    endpoint: str
    bucket: str = "cites-prive"
    env: dict = field(default_factory=dict)

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id="test",
            aws_secret_access_key="test",
            region_name="us-east-1",
        )

    def objets(self) -> list[str]:
        reponse = self.client().list_objects_v2(Bucket=self.bucket)
        return sorted(objet["Key"] for objet in reponse.get("Contents", []))


@contextlib.contextmanager
def moto_s3(log_dir: Path) -> Iterator[S3Local]:
    """moto's S3 in server mode on 127.0.0.1:<free port>, with an empty private bucket."""
    moto = prerequis("moto_server", "pip install -r requirements-dev.txt (moto[server])")
    port = free_port()
    log = open(log_dir / "moto.log", "w")  # noqa: SIM115 — closed with the process
    process = subprocess.Popen([moto, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log)
    try:
        attendre_port(port)
        s3 = S3Local(endpoint=f"http://127.0.0.1:{port}")
        s3.client().create_bucket(Bucket=s3.bucket)
        s3.env = {
            "S3_BUCKET": s3.bucket,
            "S3_ENDPOINT_URL": s3.endpoint,
            "S3_ACCESS_KEY_ID": "test",
            "S3_SECRET_ACCESS_KEY": "test",
            "S3_REGION": "us-east-1",
        }
        yield s3
    finally:
        arreter(process)
        log.close()


def s3_storages(s3: S3Local, storages: dict) -> dict:
    """settings.STORAGES with the `prive` storage in the moto bucket, as S3_BUCKET sets it."""
    return {
        **storages,
        "prive": {
            "BACKEND": "cites.stockage.PrivateS3Storage",
            "OPTIONS": {
                "bucket_name": s3.bucket,
                "endpoint_url": s3.endpoint,
                "access_key": "test",
                "secret_key": "test",
                "region_name": "us-east-1",
                "location": "prive",
                "addressing_style": "path",
                "signature_version": "s3v4",
            },
        },
    }


@dataclass
class SmtpLocal:
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    pause: float = 0.0  # seconds the server waits before accepting a message (a slow server)

    def attendre(self, nombre: int, *, seconds: float = 60) -> list[EmailMessage]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and len(self.messages) < nombre:
            time.sleep(0.1)
        return self.messages


@contextlib.contextmanager
def smtp_local() -> Iterator[SmtpLocal]:
    """An SMTP server (aiosmtpd) on 127.0.0.1:<free port> keeping every message it receives."""
    from aiosmtpd.controller import Controller

    smtp = SmtpLocal(port=free_port())

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            import asyncio

            if smtp.pause:
                await asyncio.sleep(smtp.pause)
            smtp.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=smtp.port)
    controller.start()
    try:
        yield smtp
    finally:
        controller.stop()


@contextlib.contextmanager
def redis_local() -> Iterator[tuple[subprocess.Popen, int]]:
    redis = prerequis("redis-server", "apt-get install -y redis-server")
    port = free_port()
    process = subprocess.Popen(
        [redis, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    try:
        attendre_port(port)
        yield process, port
    finally:
        arreter(process)


def attendre_url(url: str, *, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
    raise AssertionError(f"{url} n'a pas répondu en {seconds} s")
