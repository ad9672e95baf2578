"""Installable: a built wheel, installed into a fresh virtualenv outside the checkout, builds both shipped reports.

The wheel is built from this checkout without build isolation (setuptools and
wheel come with the test extras). The new virtualenv gets only the wheel; its
dependencies are borrowed from the running environment's site-packages through
a ``.pth`` file, which adds that folder to the path but runs none of its own
``.pth`` files, so the editable install of this checkout stays out of sight.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("install")
    wheels = work / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w",
         str(wheels), str(REPO)],
        capture_output=True, text=True, cwd=work,
    )
    assert build.returncode == 0, build.stderr[-2000:]
    wheel = next(wheels.glob("macro_briefing-*.whl"))
    env_dir = work / "venv"
    venv.create(env_dir, with_pip=False, system_site_packages=False)
    python = env_dir / "bin" / "python"
    site = Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", str(site),
                    str(wheel)], check=True, capture_output=True, cwd=work)
    (site / "zz_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return env_dir


def _run(env_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRIEFING_", "PYTHON"))}
    env["BRIEFING_DATA_DIR"] = str(cwd / "store")
    return subprocess.run([str(env_dir / "bin" / "python"), "-m", "generator.cli", *args], capture_output=True,
                          text=True, cwd=cwd, env=env, timeout=300)


def test_the_wheel_carries_templates_and_reports_and_runs_from_anywhere(installed: Path, tmp_path: Path) -> None:
    where = _run(installed, tmp_path, "--version")
    assert where.returncode == 0, where.stderr
    probe = subprocess.run([str(installed / "bin" / "python"), "-c",
                            "import generator, generator.resources as r; print(generator.__file__); "
                            "print(r.templates_dir()); print(r.reports_dir())"],
                           capture_output=True, text=True, cwd=tmp_path, check=True).stdout.split()
    assert all(str(installed) in p for p in probe), probe  # the installed copy, not this checkout
    for report, title in (("small_cap_rotation", "US Small-Cap Rotation Monitor"),
                          ("rates_credit_cycle", "Rates and Credit Cycle Monitor")):
        out = tmp_path / "out" / report
        done = _run(installed, tmp_path, "generate", "--report", report, "--source", "illustrative", "--date",
                    "2026-11-20", "--format", "html", "--output", str(out), "--quiet")
        assert done.returncode == 0, done.stderr
        manifest = json.loads((out / "2026-11-20" / "manifest.json").read_text())
        assert manifest["report_definition"]["title"] == title
        assert manifest["report_definition"]["path"] == f"{report}.toml"  # no absolute path of the install
        assert title in (out / "2026-11-20" / "briefing.html").read_text()


def test_every_subpackage_is_listed_for_the_wheel() -> None:
    import tomllib

    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "generator").rglob("__init__.py")}
    assert found <= listed, f"add to [tool.setuptools] packages: {sorted(found - listed)}"
