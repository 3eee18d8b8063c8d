"""The production deployment (``infra/``) checked against the code and the standards, offline.

No Docker engine or Kubernetes cluster runs here, so the files are validated instead: every
YAML parses; the Compose file against the Compose Specification's JSON schema
(``tests/standards/compose-spec``); the Kubernetes manifests against Kubernetes' own schemas
(``kubernetes-validate`` ships them in its wheel; strict mode rejects unknown fields);
``dagster.yaml`` and ``workspace.yaml`` through Dagster's own config validation; the Dockerfile
with Docker's parser and hadolint. Then consistency with the code: the services the issue
names, every ``ADA_*`` variable the code reads (found by scanning the source), ports, the
commands and their options (asked of the real CLIs with ``--help``), the secrets and the
per-role S3 policies the MinIO init script writes (run against a stand-in ``mc``).
"""

from __future__ import annotations

import ast
import functools
import json
import os
import re
import shlex
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from ada.settings import Zone
from lake.access import GRANTS, KEYED_ROLES, Action, Role
from tests.helpers import REPO

INFRA = REPO / "infra"
K8S = INFRA / "k8s"
VENV_BIN = REPO / ".venv" / "bin"
STANDARDS = Path(__file__).parent / "standards"

#: The services issue 7 names, and what each is called in Compose and on Kubernetes.
COMPOSE_SERVICES = {
    "minio": "minio",
    "postgres": "postgres",
    "dagster webserver": "dagster-webserver",
    "dagster daemon": "dagster-daemon",
    "user-code server": "dagster-code-server",
    "catalog": "catalog",
}
K8S_DEPLOYMENTS = {"minio": "ada-minio", "postgres": "ada-postgres", "catalog": "ada-catalog"}

#: The ports every file must agree on.
PORTS = {"catalog": 8080, "webserver": 3000, "code server": 4000, "s3": 9000, "console": 9001}
POSTGRES_PORT = 5432


# ------------------------------------------------------------------------------------ loading


def load_all(path: Path) -> list[Any]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


@functools.cache
def compose() -> dict[str, Any]:
    return yaml.safe_load((INFRA / "compose.yaml").read_text())


@functools.cache
def helm() -> dict[str, Any]:
    return yaml.safe_load((INFRA / "helm" / "dagster-values.yaml").read_text())


@functools.cache
def kustomization() -> dict[str, Any]:
    return yaml.safe_load((INFRA / "kustomization.yaml").read_text())


def k8s_objects() -> list[dict[str, Any]]:
    return [doc for path in sorted(K8S.glob("*.yaml")) for doc in load_all(path)]


def k8s_object(kind: str, name: str) -> dict[str, Any]:
    found = [o for o in k8s_objects() if o["kind"] == kind and o["metadata"]["name"] == name]
    assert len(found) == 1, f"{kind}/{name}: {len(found)} definitions in infra/k8s"
    return found[0]


def pod_containers(obj: dict[str, Any]) -> list[dict[str, Any]]:
    return obj["spec"]["template"]["spec"]["containers"]


def ada_services() -> dict[str, dict[str, Any]]:
    """The Compose services that run ADA's image."""
    image = compose()["x-ada-service"]["image"]
    return {n: s for n, s in compose()["services"].items() if s.get("image") == image}


@functools.cache
def env_example() -> dict[str, bool]:
    """Names in ``.env.example`` → whether they are set (``NAME=...``) or commented out."""
    names: dict[str, bool] = {}
    for line in (INFRA / ".env.example").read_text().splitlines():
        if match := re.match(r"^(#\s*)?([A-Z][A-Z0-9_]*)=", line):
            names[match[2]] = names.get(match[2], False) or match[1] is None
    return names


@functools.cache
def readme_config_names() -> set[str]:
    """Variables named in the first column of the README's configuration table."""
    text = (REPO / "README.md").read_text()
    section = text.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    names: set[str] = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", line.split("|")[1]))
    return names


def entrypoint_secrets() -> list[str]:
    text = (INFRA / "docker" / "entrypoint.sh").read_text()
    match = re.search(r'^SECRETS="([A-Z0-9_ ]+)"$', text, re.MULTILINE)
    assert match, 'entrypoint.sh lists its secrets in SECRETS="..."'
    return match[1].split()


def secret_placeholders() -> dict[str, str]:
    return {
        p.name: p.read_text()
        for p in sorted((INFRA / "secrets.example").iterdir())
        if p.name != "README.md"
    }


# ----------------------------------------------------------------- variables the code reads

_ENV_NAME = re.compile(r"^ADA_[A-Z0-9_]*[A-Z0-9]$")
_ENV_PREFIX = re.compile(r"^ADA_[A-Z0-9_]*_$")


def _python_files() -> Iterator[Path]:
    """Every Python file of the project but this one (whose strings name variables on
    purpose)."""
    for path in sorted(REPO.rglob("*.py")):
        parts = path.relative_to(REPO).parts
        skipped = any(p.startswith(".") or p == "node_modules" for p in parts)
        if not skipped and path != Path(__file__).resolve():
            yield path


@functools.cache
def code_variables() -> dict[str, set[str]]:
    """Every ``ADA_*`` name the Python code holds as a string (``os.environ["ADA_X"]``,
    ``_env("ADA_X")``, ``KEY_ENV = "ADA_X"``...) → the top-level folders it appears in; an
    f-string such as ``f"ADA_S3_BUCKET_{zone}"`` gives the prefix followed by ``*``. Plus the
    variables the dataset specs expand (``${NAME}``, ``*_env: NAME``)."""
    found: dict[str, set[str]] = {}
    for path in _python_files():
        top = path.relative_to(REPO).parts[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                if _ENV_NAME.match(node.value):
                    found.setdefault(node.value, set()).add(top)
            elif isinstance(node, ast.JoinedStr) and node.values:
                head = node.values[0]
                prefix = head.value if isinstance(head, ast.Constant) else None
                if isinstance(prefix, str) and _ENV_PREFIX.match(prefix):
                    found.setdefault(f"{prefix}*", set()).add(top)
    for spec in sorted((REPO / "catalog" / "datasets").rglob("*.yaml")):
        text = spec.read_text()
        names = re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", text)
        names += re.findall(r"_env:\s*([A-Z_][A-Z0-9_]*)", text)
        for name in names:
            found.setdefault(name, set()).add("catalog")
    return found


def test_the_variable_scan_finds_what_the_code_reads() -> None:
    """The scan itself: it must see the variables read in each style, or the next test proves
    nothing."""
    found = code_variables()
    for name in ("ADA_HOME", "ADA_PSEUDONYM_KEY", "ADA_SCHEDULES", "ADA_CATALOG_CACHE_MB"):
        assert name in found
    assert "ADA_S3_BUCKET_*" in found  # f"ADA_S3_BUCKET_{zone.value.upper()}"
    assert "ADA_REALDATA" in found  # ${ADA_REALDATA:-...} in three specs
    assert "ADA_NAMESPACE" not in found  # a Python constant, not a string


def test_every_variable_the_code_reads_is_documented() -> None:
    documented_readme = readme_config_names()
    documented_env = set(env_example())
    missing_readme: list[str] = []
    missing_env: list[str] = []
    for name, places in sorted(code_variables().items()):
        if name.endswith("*"):
            prefix = name[:-1]
            if not any(n.startswith(prefix) for n in documented_readme):
                missing_readme.append(name)
            if not any(n.startswith(prefix) for n in documented_env):
                missing_env.append(name)
            continue
        if name not in documented_readme:
            missing_readme.append(name)
        # Variables only tests and benchmarks read are not deployment settings.
        if places - {"tests", "bench"} and name not in documented_env:
            missing_env.append(name)
    assert not missing_readme, f"not in the README's configuration table: {missing_readme}"
    assert not missing_env, f"not in infra/.env.example: {missing_env}"


def test_every_zone_bucket_variable_is_documented() -> None:
    for zone in Zone:
        name = f"ADA_S3_BUCKET_{zone.value.upper()}"
        assert name in readme_config_names(), name
        assert env_example().get(name) is True, f"{name} must be set in .env.example"


def test_env_example_holds_no_secret_value() -> None:
    secrets = set(entrypoint_secrets())
    for name in secrets:
        assert env_example().get(name) is False, f"{name} must only be commented out"
        assert f"{name}_FILE" in env_example()
        assert f"{name}_FILE" in readme_config_names()
        assert name in readme_config_names()
    text = (INFRA / ".env.example").read_text()
    for value in secret_placeholders().values():
        assert value.strip() not in text


# --------------------------------------------------------------------------------- YAML files


@pytest.mark.parametrize(
    "path",
    sorted(p.relative_to(REPO).as_posix() for p in INFRA.rglob("*.y*ml")),
)
def test_every_yaml_file_parses(path: str) -> None:
    docs = load_all(REPO / path)
    assert docs, f"{path} is empty"
    assert all(isinstance(doc, dict) for doc in docs)


def test_compose_file_validates_against_the_compose_specification() -> None:
    import jsonschema

    schema = json.loads((STANDARDS / "compose-spec" / "compose-spec.json").read_text())
    validator = jsonschema.Draft7Validator(schema)
    errors = [f"{e.json_path}: {e.message}" for e in validator.iter_errors(compose())]
    assert not errors, errors
    # The schema does reject a mistake (so the check above means something).
    broken = json.loads(json.dumps(compose()))
    broken["services"]["catalog"]["depends_on"]["postgres"]["condition"] = "service_ready"
    broken["services"]["catalog"]["restart_policy"] = "always"
    assert len(list(validator.iter_errors(broken))) == 2


@functools.cache
def _k8s_validate() -> Any:
    import kubernetes_validate

    return kubernetes_validate


K8S_VERSIONS = ("1.30.0", "1.37.0")


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_kubernetes_manifests_validate_against_kubernetes_schemas(version: str) -> None:
    kv = _k8s_validate()
    for obj in k8s_objects():
        kv.validate(obj, version, strict=True)  # raises ValidationError
    broken = json.loads(json.dumps(k8s_object("Deployment", "ada-catalog")))
    pod_containers(broken)[0]["ports"][0]["containerPrt"] = 8080
    with pytest.raises(kv.ValidationError):
        kv.validate(broken, version, strict=True)


def test_kubernetes_validation_needs_no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """The schemas come from the installed wheel: validation works with sockets disabled."""
    import socket

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    kv = _k8s_validate()
    for obj in k8s_objects():
        kv.validate(obj, "1.33.0", strict=True)


def test_kustomization_names_existing_files_and_the_same_image_as_helm() -> None:
    kust = kustomization()
    for resource in kust["resources"]:
        assert (INFRA / resource).is_file(), resource
    listed = {Path(r).name for r in kust["resources"]}
    on_disk = {p.name for p in K8S.glob("*.yaml")}
    # Every manifest is applied, except the Secret template (placeholders only).
    assert on_disk - listed == {"secrets.example.yaml"}
    for generator in kust["configMapGenerator"]:
        for entry in generator["files"]:
            assert (INFRA / entry.split("=", 1)[-1]).is_file(), entry
    (image,) = kust["images"]
    code_location = helm()["dagster-user-deployments"]["deployments"][0]
    assert (image["newName"], image["newTag"]) == (
        code_location["image"]["repository"],
        code_location["image"]["tag"],
    )
    uses = [
        c["image"]
        for o in k8s_objects()
        if "template" in o.get("spec", {})
        for c in pod_containers(o)
        if c["image"] == image["name"]
    ]
    assert uses, "the catalog runs ADA's image through the kustomize image name"
    job = k8s_object("Job", "ada-minio-init")
    volumes = {v["name"]: v for v in job["spec"]["template"]["spec"]["volumes"]}
    assert volumes["script"]["configMap"]["name"] == kust["configMapGenerator"][0]["name"]


# ----------------------------------------------------------------------------------- services


def test_compose_has_every_service_the_issue_names() -> None:
    services = compose()["services"]
    for role, name in COMPOSE_SERVICES.items():
        assert name in services, f"{role} ({name}) missing from compose.yaml"
        assert "healthcheck" in services[name], f"{name} has no healthcheck"
    for name, service in services.items():
        for dependency, condition in service.get("depends_on", {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            wanted = condition["condition"]
            if wanted == "service_healthy":
                assert "healthcheck" in services[dependency], (name, dependency)
            elif wanted == "service_completed_successfully":
                assert services[dependency].get("restart") == "no", (name, dependency)
            else:
                pytest.fail(f"{name}: unexpected condition {wanted}")
    volumes = set(compose()["volumes"])
    for service in services.values():
        for mount in service.get("volumes", []):
            source = mount.split(":", 1)[0]
            if source.startswith("."):
                assert (INFRA / source).exists(), source
            else:
                assert source in volumes, f"{source} is not a named volume"


def test_kubernetes_files_have_every_service_the_issue_names() -> None:
    for name in K8S_DEPLOYMENTS.values():
        k8s_object("Deployment", name)
        k8s_object("Service", name)
    values = helm()
    assert values["dagsterWebserver"]["replicaCount"] >= 1
    assert values["dagsterDaemon"]["enabled"] is True
    deployments = values["dagster-user-deployments"]
    assert deployments["enabled"] is True
    assert [d["name"] for d in deployments["deployments"]] == ["ada"]
    assert values["postgresql"]["enabled"] is False  # ADA's Postgres, not the chart's
    assert values["postgresql"]["postgresqlHost"] == "ada-postgres"
    ingress = k8s_object("Ingress", "ada-catalog")
    backends = {
        rule["host"]: path["backend"]["service"]
        for rule in ingress["spec"]["rules"]
        for path in rule["http"]["paths"]
    }
    assert {"name": "ada-catalog", "port": {"number": 8080}} in backends.values()
    for claim in ("ada-postgres-data", "ada-minio-data"):
        k8s_object("PersistentVolumeClaim", claim)
    for name in ("ada-postgres", "ada-minio"):
        volumes = k8s_object("Deployment", name)["spec"]["template"]["spec"]["volumes"]
        assert {v["persistentVolumeClaim"]["claimName"] for v in volumes} == {f"{name}-data"}


def test_the_helm_chart_version_is_the_locked_dagster_version() -> None:
    """The chart's webserver and daemon images must run the code location's Dagster."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    pins = [d for d in pyproject["project"]["dependencies"] if d.startswith("dagster==")]
    (version,) = [d.removeprefix("dagster==") for d in pins]
    for path in (INFRA / "helm" / "dagster-values.yaml", REPO / "docs" / "operations.md"):
        named = re.findall(r"dagster/dagster --version (\d\S*)", path.read_text())
        assert named, path
        assert set(named) == {version}, (path, named)


def test_the_same_settings_reach_the_code_in_compose_and_kubernetes() -> None:
    """The non-secret variables of Kubernetes' ConfigMap are the ones .env.example sets."""
    config = k8s_object("ConfigMap", "ada-config")["data"]
    set_in_env = {n for n, is_set in env_example().items() if is_set and n.startswith("ADA_")}
    assert set(config) - set_in_env <= {"ADA_S3_PUBLIC_ENDPOINT"}
    assert set_in_env - set(config) == {"ADA_IMAGE"}  # Compose's own
    for name in config:
        assert name in readme_config_names(), name


# ------------------------------------------------------------------------------------ secrets


def test_secrets_are_placeholders_listed_in_one_place() -> None:
    placeholders = secret_placeholders()
    assert placeholders
    for name, value in placeholders.items():
        assert value.startswith("CHANGE_ME") or "CHANGE_ME" in value, name
    compose_secrets = compose()["secrets"]
    assert set(compose_secrets) == set(placeholders)
    for name, secret in compose_secrets.items():
        assert secret == {"file": f"./secrets/{name}"}
    (template,) = load_all(K8S / "secrets.example.yaml")
    keys = dict(template["stringData"])
    # The chart's own key name for the same password.
    assert keys.pop("postgresql-password") == keys["postgres_password"]
    assert set(keys) == set(placeholders)
    assert all("CHANGE_ME" in v for v in keys.values())
    readme = (INFRA / "secrets.example" / "README.md").read_text()
    for name in placeholders:
        assert f"`{name}`" in readme, f"{name} is not described in secrets.example/README.md"


def test_per_role_keys_match_the_roles_of_the_minio_init_script() -> None:
    text = (INFRA / "minio" / "init.sh").read_text()
    roles = re.search(r'^ROLES="([a-z ]+)"$', text, re.MULTILINE)
    assert roles
    keyed = {m[1] for n in secret_placeholders() if (m := re.match(r"s3_(\w+)_access_key$", n))}
    assert set(roles[1].split()) == keyed
    for role in keyed:
        assert f"s3_{role}_secret_key" in secret_placeholders()


def test_every_secret_reference_exists() -> None:
    compose_secrets = set(compose()["secrets"])
    for name, service in compose()["services"].items():
        mounted = set(service.get("secrets", []))
        assert mounted <= compose_secrets, name
        for key, value in (service.get("environment") or {}).items():
            if key.endswith("_FILE"):
                assert value.startswith("/run/secrets/"), (name, key)
                assert value.removeprefix("/run/secrets/") in mounted, (name, key)
    (template,) = load_all(K8S / "secrets.example.yaml")
    keys = set(template["stringData"])
    refs: list[dict[str, str]] = []

    def collect(node: Any) -> None:
        if isinstance(node, dict):
            if "secretKeyRef" in node:
                refs.append(node["secretKeyRef"])
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(k8s_objects())
    collect(helm())
    assert refs
    for ref in refs:
        assert ref["name"] == template["metadata"]["name"], ref
        assert ref["key"] in keys, ref
    assert helm()["global"]["postgresqlSecretName"] == template["metadata"]["name"]
    job = k8s_object("Job", "ada-minio-init")
    items = next(v for v in job["spec"]["template"]["spec"]["volumes"] if "secret" in v)
    assert {i["key"] for i in items["secret"]["items"]} <= keys
    assert set(compose()["services"]["minio-init"]["secrets"]) == {
        i["key"] for i in items["secret"]["items"]
    }


def test_real_settings_and_secrets_stay_out_of_git() -> None:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    for path in ("infra/.env", "infra/secrets/ada_database_url"):
        result = subprocess.run(
            ["git", "check-ignore", "-q", path], cwd=REPO, capture_output=True, check=False
        )
        assert result.returncode == 0, f"{path} is not ignored by git"
    ignore = (INFRA / "Dockerfile.dockerignore").read_text().split()
    for entry in (".venv", ".ada", "infra/.env", "infra/secrets"):
        assert entry in ignore, f"{entry} would enter the image's build context"


# --------------------------------------------------------------------- Compose's variables


def test_compose_references_only_documented_variables() -> None:
    text = re.sub(r"\$\$", "", (INFRA / "compose.yaml").read_text())
    interpolated = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", text))
    assert interpolated, "compose.yaml interpolates its images and Postgres names"
    missing = sorted(interpolated - set(env_example()))
    assert not missing, f"interpolated in compose.yaml, not in .env.example: {missing}"
    secrets = set(entrypoint_secrets())
    for name, service in ada_services().items():
        assert service["env_file"] == [".env"], name
        for key in service.get("environment") or {}:
            assert key in env_example(), f"{name}: {key} is not in .env.example"
            if key.endswith("_FILE"):
                assert key.removesuffix("_FILE") in secrets, f"the entrypoint ignores {key}"


def test_entrypoint_reads_the_secret_files_compose_mounts() -> None:
    used = {
        key.removesuffix("_FILE")
        for service in ada_services().values()
        for key in service.get("environment") or {}
        if key.endswith("_FILE")
    }
    assert used == set(entrypoint_secrets())


def _entrypoint(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["sh", str(INFRA / "docker" / "entrypoint.sh"), "env"],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_entrypoint_exports_each_secret_file_and_refuses_ambiguity(tmp_path: Path) -> None:
    url = tmp_path / "url"
    url.write_text("postgresql://ada:s3cr3t-value@postgres:5432/ada\n")
    key = tmp_path / "key"
    key.write_text("k" * 32)
    done = _entrypoint({"ADA_DATABASE_URL_FILE": str(url), "ADA_PSEUDONYM_KEY_FILE": str(key)})
    assert done.returncode == 0, done.stderr
    env = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    assert env["ADA_DATABASE_URL"] == "postgresql://ada:s3cr3t-value@postgres:5432/ada"
    assert env["ADA_PSEUDONYM_KEY"] == "k" * 32
    assert "ADA_DATABASE_URL_FILE" not in env and "ADA_PSEUDONYM_KEY_FILE" not in env

    both = _entrypoint({"ADA_DATABASE_URL_FILE": str(url), "ADA_DATABASE_URL": "x"})
    assert both.returncode == 64 and "set only one" in both.stderr
    missing = _entrypoint({"ADA_S3_SECRET_KEY_FILE": str(tmp_path / "absent")})
    assert missing.returncode == 66
    empty = tmp_path / "empty"
    empty.write_text("")
    assert _entrypoint({"ADA_S3_ACCESS_KEY_FILE": str(empty)}).returncode == 65
    for result in (both, missing):
        assert "s3cr3t-value" not in result.stdout + result.stderr


# -------------------------------------------------------------------------------------- ports


def _option(command: list[str], *names: str) -> str:
    for i, token in enumerate(command):
        if token in names:
            return command[i + 1]
    raise AssertionError(f"none of {names} in {command}")


def _cli_default(command: str, option: str) -> Any:
    import typer

    from ada.cli import app

    click_command = typer.main.get_command(app).commands[command]  # type: ignore[attr-defined]
    (param,) = [p for p in click_command.params if p.name == option]
    return param.default


def test_ports_agree_between_compose_kubernetes_helm_and_the_cli() -> None:
    services = compose()["services"]
    # The catalog.
    catalog = services["catalog"]
    assert int(_option(catalog["command"], "--port")) == PORTS["catalog"]
    assert f"{PORTS['catalog']}:{PORTS['catalog']}" in catalog["ports"]
    assert f":{PORTS['catalog']}/" in " ".join(catalog["healthcheck"]["test"])
    assert _cli_default("serve", "port") == PORTS["catalog"]
    k8s_catalog = pod_containers(k8s_object("Deployment", "ada-catalog"))[0]
    assert int(_option(k8s_catalog["args"], "--port")) == PORTS["catalog"]
    assert k8s_catalog["ports"][0]["containerPort"] == PORTS["catalog"]
    assert k8s_object("Service", "ada-catalog")["spec"]["ports"][0]["port"] == PORTS["catalog"]
    # The Dagster webserver.
    web = services["dagster-webserver"]
    assert int(_option(web["command"], "--port", "-p")) == PORTS["webserver"]
    assert any(p.endswith(f":{PORTS['webserver']}:{PORTS['webserver']}") for p in web["ports"])
    assert f":{PORTS['webserver']}/" in " ".join(web["healthcheck"]["test"])
    assert _cli_default("ui", "port") == PORTS["webserver"]
    assert helm()["dagsterWebserver"]["service"]["port"] == PORTS["webserver"]
    # The code server.
    code = services["dagster-code-server"]
    assert int(_option(code["command"], "--port", "-p")) == PORTS["code server"]
    assert code["expose"] == [str(PORTS["code server"])]
    assert int(_option(code["healthcheck"]["test"], "--port", "-p")) == PORTS["code server"]
    workspace = yaml.safe_load((INFRA / "workspace.yaml").read_text())
    assert workspace["load_from"][0]["grpc_server"]["port"] == PORTS["code server"]
    assert helm()["dagster-user-deployments"]["deployments"][0]["port"] == PORTS["code server"]
    # MinIO.
    minio = services["minio"]
    assert _option(minio["command"], "--address") == f":{PORTS['s3']}"
    assert _option(minio["command"], "--console-address") == f":{PORTS['console']}"
    assert f"{PORTS['s3']}:{PORTS['s3']}" in minio["ports"]
    assert f"127.0.0.1:{PORTS['console']}:{PORTS['console']}" in minio["ports"]
    k8s_minio = pod_containers(k8s_object("Deployment", "ada-minio"))[0]
    assert _option(k8s_minio["args"], "--address") == f":{PORTS['s3']}"
    assert {p["containerPort"] for p in k8s_minio["ports"]} == {PORTS["s3"], PORTS["console"]}
    minio_service = k8s_object("Service", "ada-minio")["spec"]["ports"]
    assert {p["port"] for p in minio_service} == {PORTS["s3"], PORTS["console"]}
    assert env_example_value("ADA_S3_ENDPOINT") == f"http://minio:{PORTS['s3']}"
    config = k8s_object("ConfigMap", "ada-config")["data"]
    assert config["ADA_S3_ENDPOINT"] == f"http://ada-minio:{PORTS['s3']}"
    # Postgres.
    assert services["postgres"]["expose"] == [str(POSTGRES_PORT)]
    assert f"-p {POSTGRES_PORT}" in " ".join(services["postgres"]["healthcheck"]["test"])
    assert f":{POSTGRES_PORT}/" in secret_placeholders()["ada_database_url"]
    postgres = k8s_object("Deployment", "ada-postgres")
    assert pod_containers(postgres)[0]["ports"][0]["containerPort"] == POSTGRES_PORT
    assert k8s_object("Service", "ada-postgres")["spec"]["ports"][0]["port"] == POSTGRES_PORT
    assert helm()["postgresql"]["service"]["port"] == POSTGRES_PORT
    (template,) = load_all(K8S / "secrets.example.yaml")
    assert f"@ada-postgres:{POSTGRES_PORT}/" in template["stringData"]["ada_database_url"]


def env_example_value(name: str) -> str:
    for line in (INFRA / ".env.example").read_text().splitlines():
        if line.startswith(f"{name}="):
            return line.split("=", 1)[1]
    raise AssertionError(f"{name} is not set in .env.example")


# ----------------------------------------------------------------------------------- commands


def _deployment_commands() -> list[list[str]]:
    """Every command line of ADA's image in Compose, Kubernetes and the Helm values."""
    commands: list[list[str]] = []
    for service in ada_services().values():
        commands.append(service["command"])
        test = service["healthcheck"]["test"] if "healthcheck" in service else []
        if test and test[0] == "CMD":
            commands.append(test[1:])
    for obj in k8s_objects():
        if "template" in obj.get("spec", {}):
            for container in pod_containers(obj):
                if container["image"] == kustomization()["images"][0]["name"]:
                    commands.append(container["args"])
    for deployment in helm()["dagster-user-deployments"]["deployments"]:
        port = str(deployment["port"])
        start = ["dagster", "code-server", "start", "-h", "0.0.0.0", "-p", port]
        commands.append([*start, *deployment["codeServerArgs"]])
    return commands


@functools.cache
def _help(executable: str, path: tuple[str, ...]) -> str:
    binary = VENV_BIN / executable
    assert binary.is_file(), f"{executable} is not installed in .venv"
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", "TERM": "dumb"}
    result = subprocess.run(
        [str(binary), *path, "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert result.returncode == 0, f"{executable} {' '.join(path)} --help: {result.stderr}"
    return result.stdout


def test_commands_are_real_cli_commands_with_existing_options() -> None:
    commands = _deployment_commands()
    assert len(commands) >= 8
    checked = 0
    for command in commands:
        executable, *rest = command
        if executable == "python":  # healthchecks written in Python (no curl in the image)
            assert rest[0] == "-c"
            compile(rest[1], "<healthcheck>", "exec")
            continue
        assert executable in {"ada", "dagster", "dagster-webserver", "dagster-daemon"}, command
        path: list[str] = []
        for token in rest:
            if token.startswith("-"):
                break
            path.append(token)
        help_text = _help(executable, tuple(path))
        offered = set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", help_text))
        for token in rest[len(path) :]:
            if token.startswith("-"):
                assert token in offered, f"{shlex.join(command)}: {token} is not an option"
        checked += 1
    assert checked >= 7


def test_the_code_location_has_one_name_everywhere() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    name = pyproject["tool"]["dagster"]["code_location_name"]
    module = pyproject["tool"]["dagster"]["module_name"]
    workspace = yaml.safe_load((INFRA / "workspace.yaml").read_text())
    server = workspace["load_from"][0]["grpc_server"]
    assert server["location_name"] == name
    assert server["host"] == "dagster-code-server"  # the Compose service
    command = compose()["services"]["dagster-code-server"]["command"]
    assert _option(command, "--location-name") == name
    assert _option(command, "--module-name", "-m") == module
    (deployment,) = helm()["dagster-user-deployments"]["deployments"]
    assert deployment["name"] == name
    assert _option(deployment["codeServerArgs"], "--module-name", "-m") == module


# ------------------------------------------------------------------------------------ Dagster


def test_dagster_yaml_passes_dagsters_own_validation() -> None:
    from dagster._config import validate_config
    from dagster._core.instance.config import dagster_instance_config
    from dagster._serdes.config_class import ConfigurableClass, class_from_code_pointer

    config, custom_class = dagster_instance_config(str(INFRA), "dagster.yaml")
    assert custom_class is None
    # The configurable classes' own config, validated by each class's schema.
    for key in ("run_coordinator", "run_launcher", "compute_logs"):
        entry = config[key]
        cls = class_from_code_pointer(entry["module"], entry["class"])
        assert issubclass(cls, ConfigurableClass), key
        result = validate_config(cls.config_type(), entry.get("config") or {})
        assert result.success, (key, result.errors)
    from dagster_postgres import DagsterPostgresStorage

    storage = config["storage"]["postgres"]
    assert validate_config(DagsterPostgresStorage.config_type(), storage).success
    # The URL comes from the environment, never written in the file.
    assert storage == {"postgres_url": {"env": "ADA_DATABASE_URL"}}
    assert config["run_coordinator"]["class"] == "QueuedRunCoordinator"
    assert config["run_launcher"]["class"] == "DefaultRunLauncher"
    assert config["telemetry"] == {"enabled": False}
    # The Helm values make the same choices.
    launcher = helm()["runLauncher"]["config"]["customRunLauncher"]
    assert (launcher["module"], launcher["class"]) == (
        config["run_launcher"]["module"],
        config["run_launcher"]["class"],
    )
    queue = helm()["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]
    assert queue["maxConcurrentRuns"] == config["run_coordinator"]["config"]["max_concurrent_runs"]
    daemon = helm()["dagsterDaemon"]
    assert (
        daemon["runMonitoring"]["startTimeoutSeconds"]
        == (config["run_monitoring"]["start_timeout_seconds"])
    )
    assert daemon["runRetries"]["maxRetries"] == config["run_retries"]["max_retries"]


def test_dagster_yaml_rejects_a_wrong_key() -> None:
    """Dagster's validation is strict enough to catch a typo in the file."""
    from dagster._core.errors import DagsterInvalidConfigError
    from dagster._core.instance.config import dagster_instance_config

    with pytest.MonkeyPatch.context() as mp:
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            text = (INFRA / "dagster.yaml").read_text().replace("run_retries:", "run_retry:")
            Path(tmp, "dagster.yaml").write_text(text)
            mp.delenv("DAGSTER_HOME", raising=False)
            with pytest.raises(DagsterInvalidConfigError):
                dagster_instance_config(tmp, "dagster.yaml")


def test_workspace_passes_dagsters_own_validation() -> None:
    from dagster._core.workspace.config_schema import ensure_workspace_config

    path = INFRA / "workspace.yaml"
    config: dict[str, Any] = dict(
        ensure_workspace_config(yaml.safe_load(path.read_text()), str(path))
    )
    (location,) = config["load_from"]
    assert list(location) == ["grpc_server"]


@pytest.mark.postgres
def test_dagster_instance_loads_from_the_production_file_on_postgres(
    postgres_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dagster import DagsterInstance
    from dagster._core.launcher import DefaultRunLauncher
    from dagster._core.run_coordinator import QueuedRunCoordinator
    from dagster_postgres import PostgresRunStorage

    monkeypatch.setenv("ADA_DATABASE_URL", postgres_database)
    instance = DagsterInstance.from_config(str(INFRA))
    try:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert isinstance(instance.run_launcher, DefaultRunLauncher)
        assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
        assert instance.get_runs_count() == 0
    finally:
        instance.dispose()


# --------------------------------------------------------------------------------- Dockerfile


@functools.cache
def dockerfile() -> list[Any]:
    import dockerfile as parser

    return list(parser.parse_file(str(INFRA / "Dockerfile")))


def _stages() -> dict[str, list[Any]]:
    stages: dict[str, list[Any]] = {}
    current: list[Any] = []
    for instruction in dockerfile():
        if instruction.cmd == "FROM":
            value = instruction.value
            assert len(value) == 3 and value[1].upper() == "AS", "name every stage"
            current = stages.setdefault(value[2], [])
        current.append(instruction)
    return stages


def test_dockerfile_stages_and_the_files_it_copies_exist() -> None:
    stages = _stages()
    assert list(stages) == ["builder", "runtime"]
    arg = next(i for i in dockerfile() if i.cmd == "ARG")
    assert arg.value[0] == "PYTHON_IMAGE=python:3.11-slim-bookworm"
    seen: list[str] = []
    for name, instructions in stages.items():
        for instruction in instructions:
            if instruction.cmd != "COPY":
                continue
            *sources, _target = instruction.value
            origin = [f for f in instruction.flags if f.startswith("--from=")]
            if origin:
                assert origin[0].removeprefix("--from=") in seen, f"{name}: {instruction}"
                continue
            for source in sources:
                assert (REPO / source).exists(), f"COPY {source}: no such file in the repo"
        seen.append(name)
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    packages = set(pyproject["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"])
    copied = {i.value[0] for i in stages["builder"] if i.cmd == "COPY" and i.value[0] == i.value[1]}
    assert packages <= copied, f"packages the image misses: {packages - copied}"


def test_dockerfile_installs_the_lock_without_downloads_at_run_time() -> None:
    stages = _stages()
    runs = " ".join(i.value[0] for i in stages["builder"] if i.cmd == "RUN")
    assert "uv sync --frozen --no-dev --no-install-project" in runs
    assert "uv sync --frozen --no-dev " in runs
    makefile = (REPO / "Makefile").read_text()
    uv_version = re.search(r"^UV_VERSION \?= (\S+)$", makefile, re.MULTILINE)
    assert uv_version
    args = [i.value[0] for i in stages["builder"] if i.cmd == "ARG"]
    assert f"UV_VERSION={uv_version[1]}" in args
    # The extensions preinstalled are exactly the extension wheels in the dependencies.
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    wheels = {
        m[1]
        for dep in pyproject["project"]["dependencies"]
        if (m := re.match(r"duckdb-extension-([a-z]+)", dep))
    }
    installed = re.search(r"_install_extensions\(con, \[([^\]]+)\]\)", runs)
    assert installed
    assert set(re.findall(r"'([a-z]+)'", installed[1])) == wheels


def test_the_image_runs_as_the_same_unprivileged_user_everywhere() -> None:
    runtime = _stages()["runtime"]
    (user,) = [i.value[0] for i in runtime if i.cmd == "USER"]
    uid = int(user.split(":")[0])
    assert uid >= 1000
    (entrypoint,) = [i.value for i in runtime if i.cmd == "ENTRYPOINT"]
    copied = {i.value[-1] for i in runtime if i.cmd == "COPY"}
    assert entrypoint[0] in copied
    env = dict(zip(*(iter(next(i.value for i in runtime if i.cmd == "ENV")),) * 2, strict=True))
    assert (INFRA / "dagster.yaml").is_file()
    assert f"{env['DAGSTER_HOME']}/dagster.yaml" in copied
    assert env["DAGSTER_HOME"] == helm()["global"]["dagsterHome"]
    assert env["ADA_HOME"] == env_example_value("ADA_HOME")
    contexts = [
        k8s_object("Deployment", "ada-catalog")["spec"]["template"]["spec"]["securityContext"],
        helm()["dagster-user-deployments"]["deployments"][0]["podSecurityContext"],
    ]
    for context in contexts:
        assert context["runAsNonRoot"] is True
        assert context["runAsUser"] == uid


def test_dockerfile_passes_hadolint() -> None:
    result = subprocess.run(
        [str(VENV_BIN / "hadolint"), "--no-color", str(INFRA / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# -------------------------------------------------------------------- MinIO roles and policies

FAKE_MC = """#!/bin/sh
echo "$*" >> "$CAPTURE/calls"
case "$1 $2 $3" in
    "admin policy create") cp "$6" "$CAPTURE/$5.json" ;;
    "admin policy attach")
        [ -z "${FAKE_ATTACH:-}" ] || { echo "mc: <ERROR> $FAKE_ATTACH" >&2; exit 1; } ;;
esac
exit 0
"""

BUCKETS = {zone: f"t-{zone.value}" for zone in Zone}
READ = {"s3:ListBucket", "s3:GetObject"}
WRITE = READ | {"s3:PutObject", "s3:DeleteObject"}
#: What each role may do per zone: the same grants the native stack's S3 server enforces
#: (``lake.access.GRANTS``, one source of truth), as MinIO's read or write.
EXPECTED_ACCESS = {
    role.value: {
        zone: "write" if Action.WRITE in actions else "read" for zone, actions in zones.items()
    }
    for role, zones in GRANTS.items()
    if role in KEYED_ROLES and role != Role.ADMIN
}


def _run_init(tmp_path: Path, **extra_env: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    capture = tmp_path / "capture"
    capture.mkdir(exist_ok=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    (bin_dir / "mc").write_text(FAKE_MC)
    (bin_dir / "mc").chmod(0o755)
    secrets = tmp_path / "secrets"
    secrets.mkdir(exist_ok=True)
    for name in secret_placeholders():
        (secrets / name).write_text(f"value-of-{name}")
    env = {
        "PATH": f"{bin_dir}:/usr/bin:/bin",
        "CAPTURE": str(capture),
        "SECRETS_DIR": str(secrets),
        "MC_CONFIG_DIR": str(tmp_path / "mc"),
        **{f"ADA_S3_BUCKET_{z.value.upper()}": b for z, b in BUCKETS.items()},
        **extra_env,
    }
    result = subprocess.run(
        ["sh", str(INFRA / "minio" / "init.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return result, capture


def _access(policy: dict[str, Any]) -> dict[str, set[str]]:
    """Actions allowed per bucket by an S3 policy (bucket ARNs and object ARNs together)."""
    allowed: dict[str, set[str]] = {}
    assert policy["Version"] == "2012-10-17"
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow"
        for action in statement["Action"]:
            assert "*" not in action, action
        for resource in statement["Resource"]:
            bucket = resource.removeprefix("arn:aws:s3:::").removesuffix("/*")
            assert "*" not in bucket and "/" not in bucket, resource
            allowed.setdefault(bucket, set()).update(statement["Action"])
    return allowed


def test_minio_init_gives_each_role_only_its_zones(tmp_path: Path) -> None:
    result, capture = _run_init(tmp_path)
    assert result.returncode == 0, result.stderr
    calls = (capture / "calls").read_text().splitlines()
    for bucket in BUCKETS.values():
        assert f"mb --ignore-existing ada/{bucket}" in calls
    assert f"version enable ada/{BUCKETS[Zone.RAW]}" in calls
    anonymous = [c for c in calls if c.startswith("anonymous set")]
    assert anonymous == [f"anonymous set download ada/{BUCKETS[Zone.OPEN]}"]
    zone_of = {bucket: zone for zone, bucket in BUCKETS.items()}
    for role, expected in EXPECTED_ACCESS.items():
        policy = json.loads((capture / f"ada-{role}.json").read_text())
        granted: dict[Zone, str] = {}
        for bucket, actions in _access(policy).items():
            assert "s3:DeleteObjectVersion" not in actions  # raw stays recoverable
            level = "write" if actions >= WRITE else "read" if actions >= READ else "partial"
            if level == "read":
                assert not actions & {"s3:PutObject", "s3:DeleteObject"}, (role, bucket)
            granted[zone_of[bucket]] = level
        assert granted == expected, role
        access_key = f"value-of-s3_{role}_access_key"
        secret_key = f"value-of-s3_{role}_secret_key"
        assert f"admin user add ada {access_key} {secret_key}" in calls
        assert f"admin policy attach ada ada-{role} --user {access_key}" in calls
    # Secrets reach mc, never the script's own output.
    for name in secret_placeholders():
        assert f"value-of-{name}" not in result.stdout + result.stderr


def test_minio_init_can_run_again_and_stops_on_real_errors(tmp_path: Path) -> None:
    again, _ = _run_init(tmp_path, FAKE_ATTACH="The specified policy change is already in effect.")
    assert again.returncode == 0, again.stderr
    broken, _ = _run_init(tmp_path, FAKE_ATTACH="Access Denied.")
    assert broken.returncode != 0
    assert "Access Denied" in broken.stderr
    no_bucket, _ = _run_init(tmp_path, ADA_S3_BUCKET_OPEN="")
    assert no_bucket.returncode == 64
    assert "ADA_S3_BUCKET_OPEN" in no_bucket.stderr


def test_make_secrets_fills_every_placeholder_once(tmp_path: Path) -> None:
    infra = tmp_path / "infra"
    shutil.copytree(INFRA / "secrets.example", infra / "secrets.example")
    shutil.copy(INFRA / "make-secrets.sh", infra / "make-secrets.sh")
    (infra / ".env").write_text("POSTGRES_USER=datos\nPOSTGRES_DB=lago\n")
    first = subprocess.run(
        ["sh", str(infra / "make-secrets.sh")], capture_output=True, text=True, check=False
    )
    assert first.returncode == 0, first.stderr
    made = {p.name: p.read_text() for p in (infra / "secrets").iterdir()}
    assert set(made) == set(secret_placeholders())
    assert all(value and "CHANGE_ME" not in value for value in made.values())
    password = made["postgres_password"]
    assert made["ada_database_url"] == f"postgresql://datos:{password}@postgres:5432/lago"
    assert len(made["ada_pseudonym_key"]) >= 16  # privacy.structured.operators' minimum
    for value in made.values():
        assert value not in first.stdout + first.stderr
    second = subprocess.run(
        ["sh", str(infra / "make-secrets.sh")], capture_output=True, text=True, check=False
    )
    assert second.returncode == 0
    assert {p.name: p.read_text() for p in (infra / "secrets").iterdir()} == made


# ------------------------------------------------------------------------------------- the doc


def test_operations_doc_covers_the_operations_and_names_real_files() -> None:
    text = (REPO / "docs" / "operations.md").read_text()
    headings = re.findall(r"^#{2,3} (.+)$", text, re.MULTILINE)
    for wanted in (
        "Deploy with Compose",
        "Deploy on Kubernetes",
        "Upgrade",
        "Back up and restore",
        "Rotate keys",
        "Add a district entity",
        "Monitoring",
    ):
        assert any(h.startswith(wanted) for h in headings), wanted
    for command in ("dagster instance migrate", "pg_dump", "pg_restore", "mc mirror", "helm"):
        assert command in text, command
    for path in sorted(set(re.findall(r"\binfra/[\w./-]*\w", text))):
        if path == "infra/.env" or path.split("/")[:2] == ["infra", "secrets"]:
            continue  # the operator's own files, ignored by git
        assert (REPO / path).exists(), f"docs/operations.md names {path}, which does not exist"
