"""The web app over real HTTP: index, files, compare, traversal attempts, escaping, host/origin/token checks."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from serve_helpers import request, start

from generator.cli import main
from generator.errors import UsageError
from generator.serve.security import check_bind


def test_index_lists_briefings_newest_first_with_links(server, archive: Path) -> None:  # type: ignore[no-untyped-def]
    r = request(server.port, "GET", "/")
    assert r.status == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
    links = re.findall(r'<a class="briefing-link" href="([^"]+)">([^<]+)</a>', r.text)
    assert links == [("/2026-11-20/briefing.html", "2026-11-20"), ("/2026-11-13/briefing.html", "2026-11-13")]
    assert r.text.count("illustrative (not market data)") == 2
    m = json.loads((archive / "2026-11-20" / "manifest.json").read_text())
    reds = sum(1 for f in m["flags"].values() if f["state"] == "red")
    assert f'<span class="stance stance-{m["stance"]["label"].lower()}">' in r.text
    assert f'<td class="num">{reds}</td>' in r.text
    assert '<form method="post" action="/generate">' in r.text and 'action="/compare"' in r.text
    assert '<a href="/index.html">' in r.text  # the archive's own overview page, written by generate
    assert "<script" not in r.text
    assert r.headers["content-security-policy"].startswith("default-src 'none'")
    assert r.headers["x-frame-options"] == "DENY" and r.headers["referrer-policy"] == "no-referrer"


def test_briefing_files_are_served_byte_for_byte(server, archive: Path) -> None:  # type: ignore[no-untyped-def]
    folder = archive / "2026-11-20"
    for name, kind in (
        ("briefing.html", "text/html; charset=utf-8"),
        ("briefing.pdf", "application/pdf"),
        ("manifest.json", "application/json"),
    ):
        r = request(server.port, "GET", f"/2026-11-20/{name}")
        assert (r.status, r.headers["content-type"]) == (200, kind), name
        assert r.body == (folder / name).read_bytes(), name
    overview = request(server.port, "GET", "/index.html")
    assert overview.status == 200 and overview.body == (archive / "index.html").read_bytes()
    assert request(server.port, "GET", "/2026-11-20/snapshot.parquet").status == 404  # only the three files
    assert request(server.port, "GET", "/2026-11-27/briefing.html").status == 404
    r = request(server.port, "GET", "/briefing?date=2026-11-20")
    assert (r.status, r.headers["location"]) == (303, "/2026-11-20/briefing.html")


def test_compare_two_dates(server, archive: Path) -> None:  # type: ignore[no-untyped-def]
    a = json.loads((archive / "2026-11-13" / "manifest.json").read_text())
    b = json.loads((archive / "2026-11-20" / "manifest.json").read_text())
    r = request(server.port, "GET", "/compare?a=2026-11-20&b=2026-11-13")  # either order: earlier first
    assert r.status == 200
    assert "<h1>Briefing 2026-11-13 vs 2026-11-20</h1>" in r.text  # the archive's compare view
    ind_a, ind_b = a["indicators"]["iwm_spy_rel_1m"], b["indicators"]["iwm_spy_rel_1m"]
    d = ind_b["decimals"]
    label = html.escape(ind_b["label"], quote=False)
    row = re.search(rf"<td>{re.escape(label)}</td>(.*?)</tr>", r.text, re.S)
    assert row is not None
    cells = [c.strip() for c in re.findall(r'<td class="num">([^<]*)</td>', row.group(1))]
    assert cells[:3] == [
        f"{ind_a['value']:,.{d}f}",
        f"{ind_b['value']:,.{d}f}",
        f"{ind_b['value'] - ind_a['value']:+.{d}f}",
    ]
    for fid, flag in b["flags"].items():
        before = a["flags"][fid]["state"]
        assert f'<span class="light light-{before}">{before}</span>' in r.text
        assert f'<span class="light light-{flag["state"]}">{flag["state"]}</span>' in r.text
    assert "<script" not in r.text
    missing = request(server.port, "GET", "/compare?a=2026-11-13&b=2026-11-06")
    assert missing.status == 404 and str(archive) not in missing.text
    assert request(server.port, "GET", "/compare?a=2026-11-13").status == 400
    assert request(server.port, "GET", "/compare?a=2026-11-13&b=2026-11-13").status == 400


SECRET = "TOP-SECRET-MARKER-7f3a"
TRAVERSALS = [
    "/../secret.txt",
    "/../../etc/passwd",
    "/2026-11-20/../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2e%2e%2fsecret.txt",
    "/2026-11-20/%2e%2e%2f%2e%2e%2fsecret.txt",
    "/2026-11-20/..%2f..%2fsecret.txt",
    "/2026-11-20/..%252f..%252fsecret.txt",
    "/..%5c..%5csecret.txt",
    "/2026-11-20/briefing.html%00.txt",
    "/2026-11-20%2f..%2f..%2fsecret.txt",
    "//etc/passwd",
    "/index.html/../../secret.txt",
    "/2026-11-27/briefing.html",  # a symlink inside the archive pointing outside it
    "/compare?a=../../secret.txt&b=2026-11-20",
    "/briefing?date=../../secret.txt",
    "/jobs/..%2f..%2fsecret.txt",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_path_leaves_the_archive(server, archive: Path, path: str) -> None:  # type: ignore[no-untyped-def]
    secret = archive.parent / "secret.txt"
    secret.write_text(SECRET)
    (archive / "2026-11-27").mkdir(exist_ok=True)
    link = archive / "2026-11-27" / "briefing.html"
    if not link.exists():
        link.symlink_to(secret)
    r = request(server.port, "GET", path)
    assert r.status in (400, 404), (path, r.status)
    assert SECRET.encode() not in r.body and b"root:" not in r.body


def test_user_input_is_escaped(server) -> None:  # type: ignore[no-untyped-def]
    r = request(server.port, "GET", "/briefing?date=%3Cscript%3Ealert(1)%3C/script%3E")
    assert r.status == 400
    assert "&#39;&lt;script&gt;alert(1)&lt;/script&gt;&#39;" in r.text
    assert "<script>" not in r.text
    r = request(server.port, "POST", "/generate", b"date=2999-01-01")
    assert r.status == 400 and "2999-01-01 has not happened yet" in r.text


def test_foreign_host_and_cross_site_post_are_refused(server, archive: Path) -> None:  # type: ignore[no-untyped-def]
    assert request(server.port, "GET", "/", headers={"Host": "evil.example"}).status == 400  # DNS rebinding
    assert request(server.port, "GET", "/", headers={"Host": f"localhost:{server.port}"}).status == 200
    r = request(server.port, "POST", "/generate", b"date=2026-11-06", {"Origin": "http://evil.example"})
    assert r.status == 403
    assert not (archive / "2026-11-06").exists()


def test_access_token(archive: Path) -> None:
    running = start(archive, token="s3cret-token")
    try:
        port = running.port
        assert request(port, "GET", "/").status == 401
        assert request(port, "GET", "/2026-11-20/briefing.pdf").status == 401
        assert request(port, "GET", "/?token=wrong").status == 401
        r = request(port, "GET", "/compare?token=s3cret-token&a=2026-11-13&b=2026-11-20")
        assert (r.status, r.headers["location"]) == (303, "/compare?a=2026-11-13&b=2026-11-20")
        cookie = r.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        jar = cookie.split(";")[0]
        assert request(port, "GET", "/compare?a=2026-11-13&b=2026-11-20", headers={"Cookie": jar}).status == 200
        assert request(port, "GET", "/", headers={"Authorization": "Bearer s3cret-token"}).status == 200
    finally:
        running.stop()


def test_non_local_bind_needs_a_token(capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError):
        check_bind("0.0.0.0", None)
    check_bind("0.0.0.0", "t")
    check_bind("127.0.0.1", None)
    check_bind("::1", None)
    monkeypatch.delenv("BRIEFING_SERVE_TOKEN", raising=False)
    assert main(["serve", "--host", "0.0.0.0", "--port", "1"]) == 2
    _, err = capsys.readouterr()
    assert err.strip() == (
        "error: --host 0.0.0.0 makes the archive reachable from other machines: set BRIEFING_SERVE_TOKEN "
        "in the environment to require an access token (or keep the default --host 127.0.0.1)"
    )


@pytest.mark.parametrize("name", ["briefing.pdf", "briefing.html", "manifest.json"])
def test_a_damaged_file_is_not_served(server, archive: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    path = archive / "2026-11-20" / name
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    r = request(server.port, "GET", f"/2026-11-20/{name}")
    assert r.status == 500
    assert r.headers["content-type"] == "text/html; charset=utf-8"
    assert whole[:2000] not in r.body and b"%PDF" not in r.body
    assert "2026-11-20/" + name in r.text and "damaged" in r.text.lower()
    assert str(archive) not in r.text
    other = request(server.port, "GET", f"/2026-11-13/{name}")  # the other briefing is still served whole
    assert other.status == 200 and other.body == (archive / "2026-11-13" / name).read_bytes()
