"""``briefing serve``: a small web app over the archive, on 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import socket
from pathlib import Path

import typer

from generator.commands.list import archive_option


def serve(
    host: str = typer.Option(
        "127.0.0.1", "--host", help="Address to bind; beyond loopback needs BRIEFING_SERVE_TOKEN."
    ),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    output: Path = archive_option(),
    source: str = typer.Option("auto", "--source", help="Data source for 'generate now': auto | live | store | ..."),
    report: Path | None = typer.Option(None, "--report", help="Report definition used by 'generate now'. A path or a packaged report name; default $BRIEFING_REPORT, else small_cap_rotation."),
    interval: float = typer.Option(60.0, "--generate-interval", help="Seconds between two on-demand builds."),
) -> None:
    """Serve the archive: index, each briefing's HTML and PDF, compare, and 'generate now'."""
    import uvicorn

    from generator.acquire import parse_source
    from generator.archive import prepare_root
    from generator.errors import UsageError
    from generator.pipeline import load_report
    from generator.reports import archive_root
    from generator.serve import create_app, pipeline_build
    from generator.serve.security import check_bind, token_from_env

    token = token_from_env()
    check_bind(host, token)
    if not 1 <= port <= 65535:
        raise UsageError(f"--port {port}: expected 1 to 65535")
    if interval < 0:
        raise UsageError(f"--generate-interval {interval}: expected 0 or more seconds between two builds")
    parse_source(source)  # a bad --source fails now, not at the first click
    plan = load_report(report)  # and a broken report definition
    output = archive_root(output, plan.report_id)
    prepare_root(output)
    listening = listen(host, port)
    app = create_app(output, pipeline_build(output, source, report), bind_host=host, token=token, min_interval=interval)
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"Serving {output} on http://{shown}:{port}/" + ("  (access token required)" if token else ""))
    config = uvicorn.Config(app, log_level="warning", ws="none", lifespan="off", server_header=False)
    uvicorn.Server(config).run(sockets=[listening])


def listen(host: str, port: int) -> socket.socket:
    """The server's socket, bound here so that a port in use is one clear line, not uvicorn's log."""
    import errno

    from generator.errors import UsageError

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: a restart need not wait
    try:
        sock.bind((host.strip("[]"), port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(
                f"--port {port}: {host}:{port} is already in use (another `briefing serve`?): choose another port"
            ) from None
        raise UsageError(f"--host {host} --port {port}: cannot listen there: {exc.strerror or exc}") from None
    return sock


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
