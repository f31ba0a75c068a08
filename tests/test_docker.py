"""The Docker files, checked without a Docker engine: compose files against the Compose
specification's JSON Schema (check-jsonschema's vendored copy, offline), the Dockerfile
with hadolint, and what each must contain for eventwatch to run as documented.
Each linter is also fed a broken copy, to show the check can fail."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCKER = ROOT / "docker"
DOCKERFILE = DOCKER / "Dockerfile"
COMPOSE = DOCKER / "compose.yaml"
COMPOSE_SCALE = DOCKER / "compose.scale.yaml"


def _tool(name: str) -> str:
    beside = Path(sys.executable).parent / name  # installed by the test extra
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: pip install -e '.[test]'")
    return found


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)


def _compose_check(*paths: Path) -> subprocess.CompletedProcess[str]:
    return _run(_tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec",
                *map(str, paths))


def _hadolint(path: Path) -> subprocess.CompletedProcess[str]:
    return _run(_tool("hadolint"), "--no-color", "--failure-threshold", "info",
                "--disable-ignore-pragma", str(path))


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


# -- compose ----------------------------------------------------------------

def test_compose_files_match_the_compose_spec() -> None:
    done = _compose_check(COMPOSE, COMPOSE_SCALE)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("condition: service_healthy", "condition: when_ready"),  # not in the enum
        ("\nservices:\n", "\nservice:\n"),  # unknown top-level key
        ("retries: 5", "retry: 5"),  # unknown healthcheck key
    ],
)
def test_a_broken_compose_file_fails_the_schema(tmp_path: Path, old: str, new: str) -> None:
    text = COMPOSE.read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "compose.yaml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    done = _compose_check(broken)
    assert done.returncode == 1, done.stdout + done.stderr


def test_compose_runs_eventwatch_with_persistent_redis() -> None:
    compose = _load(COMPOSE)
    redis = compose["services"]["redis"]
    assert redis["image"].startswith("redis:")
    command = redis["command"]
    assert command[command.index("--appendonly") + 1] == "yes"
    assert any(v.endswith(":/data") and v.split(":")[0] in compose["volumes"]
               for v in redis["volumes"])  # a named volume, not the container's layer
    assert "healthcheck" in redis

    app = compose["services"]["eventwatch"]
    assert app["environment"]["EVENTWATCH_REDIS_URL"] == "redis://redis:6379/0"
    assert "EVENTWATCH_TELEGRAM_TOKEN" not in app["environment"]  # the token is in env_file
    assert app["env_file"] == ["eventwatch.env"]
    config = next(v for v in app["volumes"] if isinstance(v, dict) and v["target"] == "/config")
    assert config["read_only"] is True and (DOCKER / config["source"]).resolve() == ROOT / "config"
    assert app["depends_on"]["redis"]["condition"] == "service_healthy"
    assert app["restart"] in ("unless-stopped", "always")
    assert "bot.ops.health" in " ".join(app["healthcheck"]["test"])
    assert app["command"][:3] == ["run", "--role", "all"]
    assert (DOCKER / app["build"]["context"] / app["build"]["dockerfile"]).resolve() == DOCKERFILE
    # The env file it reads has a committed example beside it.
    assert (DOCKER / "eventwatch.env.example").exists()


def test_scale_out_keeps_exactly_one_telegram_process() -> None:
    base, scale = _load(COMPOSE), _load(COMPOSE_SCALE)
    services = {**base["services"]}
    for name, override in scale["services"].items():
        services[name] = {**services.get(name, {}), **override}
    roles = {name: s["command"][s["command"].index("--role") + 1]
             for name, s in services.items() if "command" in s and "--role" in s["command"]}
    assert roles == {"eventwatch": "bot", "poller": "poller", "sender": "sender"}
    # Only the bot role answers Telegram, and it is not replicated.
    assert services["eventwatch"].get("deploy", {}).get("replicas", 1) == 1
    for worker in ("poller", "sender"):
        assert services[worker]["environment"]["EVENTWATCH_REDIS_URL"] == "redis://redis:6379/0"
        assert services[worker]["env_file"] == ["eventwatch.env"]
        assert "ports" not in services[worker]  # replicas would fight over a host port


# -- Dockerfile --------------------------------------------------------------

def test_dockerfile_passes_hadolint() -> None:
    done = _hadolint(DOCKERFILE)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("FROM python:3.11-slim-bookworm AS build", "FROM python AS build"),  # untagged
        ("USER 10001:10001", "USER root"),  # runs as root
        ("RUN pip install --no-cache-dir -c constraints.txt .",
         "RUN pip install -c constraints.txt .\nRUN apt-get update && apt-get install -y curl"),
    ],
)
def test_a_broken_dockerfile_fails_hadolint(tmp_path: Path, old: str, new: str) -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "Dockerfile"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    done = _hadolint(broken)
    assert done.returncode == 1, done.stdout + done.stderr


def _instructions() -> list[tuple[str, str]]:
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def test_dockerfile_runtime_image_is_slim_unprivileged_and_healthchecked() -> None:
    steps = _instructions()
    froms = [rest for word, rest in steps if word == "FROM"]
    assert all(re.match(r"python:3\.1[12]-slim", f) for f in froms), froms
    runtime = steps[max(i for i, (w, _) in enumerate(steps) if w == "FROM"):]
    users = [rest for word, rest in runtime if word == "USER"]
    assert users and users[-1].split(":")[0] not in ("root", "0")
    health = [rest for word, rest in runtime if word == "HEALTHCHECK"]
    assert len(health) == 1 and "bot.ops.health" in health[0]
    assert any(w == "VOLUME" and "/data" in r for w, r in runtime)
    env = " ".join(r for w, r in runtime if w == "ENV")
    assert "EVENTWATCH_CONFIG=/config" in env and "EVENTWATCH_DATA_DIR=/data" in env
    assert ("ENTRYPOINT", '["eventwatch"]') in runtime


def test_dockerfile_installs_like_the_readme_with_the_constraints() -> None:
    runs = [rest for word, rest in _instructions() if word == "RUN"]
    assert any(re.search(r"pip install .*-c constraints\.txt \.$", r) for r in runs), runs
    assert (ROOT / "constraints.txt").exists()


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image() -> None:
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    for pattern in ("docker/*.env", ".env", ".venv", ".git", "data"):
        assert pattern in ignored
    # Nothing the build needs is ignored.
    for needed in ("bot", "detectors", "pyproject.toml", "constraints.txt", "config"):
        assert needed not in ignored and f"/{needed}" not in ignored
