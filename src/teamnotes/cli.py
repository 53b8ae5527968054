"""The `teamnotes` command: serve, migrate, purge, openapi, backup, copy."""

import argparse
import asyncio
import json
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

import uvicorn
from sqlalchemy.exc import SQLAlchemyError

from teamnotes.config import get_settings
from teamnotes.housekeeping import run_once
from teamnotes.kit.db import Database, utcnow
from teamnotes.kit.urls import is_memory_sqlite
from teamnotes.migrations import is_at_head, migration_engine, upgrade_to_head
from teamnotes.portability.backup import BackupRefused, backup
from teamnotes.portability.copy import CopyRefused, copy_database, redacted
from teamnotes.portability.progress import progress_on


async def _migrate() -> None:
    settings = get_settings()
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    if is_memory_sqlite(settings.database_url):
        return  # each process migrates its own in-memory database at start-up
    engine = migration_engine(settings.database_url)
    try:
        if not await is_at_head(engine):  # the common restart loads no Alembic
            await upgrade_to_head(engine)
    finally:
        await engine.dispose()


# prometheus_client picks its storage when first imported, so this process must not
# import teamnotes.kit.metrics before the variable is set.
MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"


def _prepare_metrics_directory() -> None:
    """A fresh directory where every worker process writes its metric samples."""
    if os.environ.get(MULTIPROCESS_DIR):
        directory = Path(os.environ[MULTIPROCESS_DIR])
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True)
    else:
        os.environ[MULTIPROCESS_DIR] = tempfile.mkdtemp(prefix="teamnotes-metrics-")


def serve(host: str, port: int, workers: int) -> None:
    settings = get_settings()
    asyncio.run(_migrate())
    if settings.metrics:
        _prepare_metrics_directory()
    # Once it has shut down gracefully, uvicorn raises SIGTERM again under the handler
    # it found: by default that would end a single-process server by the signal (143)
    # after a clean shutdown. (With workers, the supervisor exits 0 of its own.)
    signal.signal(signal.SIGTERM, _stopped)
    uvicorn.run(
        "teamnotes.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # the app writes its own access log line, with the request id
        server_header=False,
        # X-Forwarded-For is honoured only from TEAMNOTES_TRUSTED_PROXIES, by the app.
        proxy_headers=False,
        # On SIGTERM: stop accepting, let in-flight requests finish within this bound.
        timeout_graceful_shutdown=settings.shutdown_timeout,
    )


def _stopped(_signal: int, _frame: object) -> None:
    raise SystemExit(0)


async def _purge() -> dict[str, int]:
    from teamnotes.app import housekeeping_jobs  # imports teamnotes.kit.metrics (see above)

    settings = get_settings()
    if is_memory_sqlite(settings.database_url):
        return {}  # nothing outlives a process's in-memory database, this one's neither
    database = Database(settings.database_url, pool_size=1)
    try:
        return await run_once(database, housekeeping_jobs(settings), utcnow())
    finally:
        await database.dispose()


def purge() -> None:
    for job, removed in asyncio.run(_purge()).items():
        print(f"{job}: {removed} removed")


def openapi() -> None:
    from teamnotes.app import create_app

    json.dump(create_app().openapi(), sys.stdout, indent=2)
    sys.stdout.write("\n")


def backup_to(destination: Path) -> None:
    try:
        written = backup(get_settings().database_url, destination)
    except BackupRefused as refused:
        sys.exit(f"teamnotes backup: {refused}")
    print(f"backed up to {written}")


def copy_to(target_url: str) -> None:
    try:
        copied = asyncio.run(
            copy_database(get_settings().database_url, target_url, progress=progress_on(sys.stdout))
        )
    except CopyRefused as refused:
        sys.exit(f"teamnotes copy: {refused}")
    except (SQLAlchemyError, OSError) as error:
        # The target's one transaction rolled back: it holds none of the rows.
        sys.exit(f"teamnotes copy: failed, nothing was copied (run it again once fixed): {error}")
    rows = sum(copied.values())
    print(f"copied {rows} rows in {len(copied)} tables to {redacted(target_url)}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="teamnotes", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="apply migrations, then serve the API")
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument("--port", type=int, default=8000)
    serve_parser.add_argument("--workers", type=int, default=1)
    commands.add_parser("migrate", help="apply pending database migrations")
    commands.add_parser("purge", help="delete what has expired, now (the server does it too)")
    commands.add_parser("openapi", help="print the OpenAPI document as JSON")
    backup_parser = commands.add_parser(
        "backup", help="write a consistent copy of the SQLite database to FILE, while it serves"
    )
    backup_parser.add_argument("file", type=Path, metavar="FILE")
    copy_parser = commands.add_parser(
        "copy", help="copy the whole database into an empty one at URL (migrated first)"
    )
    copy_parser.add_argument("--to", required=True, metavar="URL", dest="target")
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args.host, args.port, args.workers)
    elif args.command == "migrate":
        asyncio.run(_migrate())
    elif args.command == "purge":
        purge()
    elif args.command == "backup":
        backup_to(args.file)
    elif args.command == "copy":
        copy_to(args.target)
    else:
        openapi()
