"""`storyclip sync`, `storyclip admin ...`, `storyclip project share ...` (filled in by the
sync and shared-mode work)."""

from __future__ import annotations

import click


def register(cli: click.Group) -> None:
    """Attach this module's commands to the `storyclip` group."""
    _register_shared_mode(cli)
    _register_sync(cli)


# ---- shared mode set-up and sharing (security part; docs/security.md) ----------------

ADMIN_URL_ENV = "STORYCLIP_ADMIN_URL"


def _register_shared_mode(cli: click.Group) -> None:
    if "admin" not in cli.commands:
        cli.add_command(click.Group("admin", help="Set up the team's shared PostgreSQL and its people."))
    admin = cli.commands["admin"]
    admin.add_command(_init_shared)
    admin.add_command(_add_user)
    cli.commands["project"].add_command(_share)
    cli.commands["project"].add_command(_unshare)


def _admin_engine(url: str | None):  # noqa: ANN202
    from ..config import database_url
    from ..store.db import make_engine

    url = url or database_url()
    if not url.startswith("postgresql"):
        raise click.UsageError(f"needs the shared PostgreSQL: pass --url or set {ADMIN_URL_ENV}")
    return make_engine(url)


def _db_errors(fn):  # noqa: ANN001, ANN202
    """Database failures as one line: the server's message, never the URL or statement."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: object, **kwargs: object) -> object:
        from ..services.errors import NotFound, one_line
        from ..shared.errors import SharedModeError
        from ..shared.people import server_errors

        try:
            with server_errors():
                return fn(*args, **kwargs)
        except (SharedModeError, NotFound) as e:
            raise click.ClickException(one_line(e)) from None

    return wrapper


@click.command("init-shared")
@click.option("--url", envvar=ADMIN_URL_ENV, required=True, help="Admin (superuser) URL of an empty database.")
@_db_errors
def _init_shared(url: str) -> None:
    """Make a PostgreSQL database the team's shared store (safe to run again)."""
    from ..shared.install import install_shared

    engine = _admin_engine(url)
    try:
        report = install_shared(engine)
    finally:
        engine.dispose()
    sync = "installed" if report.sync_installed else "not in this build"
    click.echo(f"shared store ready: {len(report.tables)} tables under row-level security; sync part {sync}")


@click.command("add-user")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of stdin.")
@click.option("--admin", "make_admin", is_flag=True, help="May set limits and share any project.")
@click.option("--url", envvar=ADMIN_URL_ENV, help="Admin URL (default: $STORYCLIP_DATABASE_URL).")
@_db_errors
def _add_user(email: str, password_stdin: bool, make_admin: bool, url: str | None) -> None:
    """Give EMAIL a login of their own on the shared store, with default token limits."""
    from ..config import Settings
    from ..domain.ids import IdGenerator
    from ..shared.people import add_user

    password = None
    if password_stdin:
        import sys

        password = sys.stdin.readline().rstrip("\r\n")
    engine = _admin_engine(url)
    try:
        person = add_user(engine, email, IdGenerator(Settings.load().node), password=password, admin=make_admin)
    finally:
        engine.dispose()
    click.echo(f"added {person.email} as PostgreSQL role {person.role_name}")
    if person.reused_role:
        click.echo("(the role already existed on this server; " + ("password changed)" if password else "password unchanged)"))
    if person.generated_password:
        click.echo(f"password, shown once and stored nowhere: {person.generated_password}")


def _acting_engine(url: str | None, user: str | None):  # noqa: ANN202
    """The owner's own login (email + keyring password); without an email, the URL as
    given, which is how an admin acts."""
    import os

    from ..config import database_url
    from ..shared.login import connect_url
    from ..store.db import make_engine

    base = url or database_url()
    if not base.startswith("postgresql"):
        raise click.UsageError("sharing needs the shared PostgreSQL: pass --url or set STORYCLIP_DATABASE_URL")
    email = user or os.environ.get("STORYCLIP_USER_EMAIL")
    return make_engine(connect_url(base, email) if email else base)


_url_option = click.option("--url", help="Shared store URL, without a password (default: $STORYCLIP_DATABASE_URL).")
_user_option = click.option("--user", help="Act as this person (default: $STORYCLIP_USER_EMAIL).")


@click.command("share")
@click.argument("project_id", type=int)
@click.argument("email")
@click.option("--as", "role", type=click.Choice(["editor", "reviewer"]), required=True)
@_url_option
@_user_option
@_db_errors
def _share(project_id: int, email: str, role: str, url: str | None, user: str | None) -> None:
    """Let EMAIL work on a project you own, as an editor or a reviewer."""
    from ..shared.people import share

    engine = _acting_engine(url, user)
    try:
        share(engine, project_id, email, role)
    finally:
        engine.dispose()
    click.echo(f"shared project {project_id} with {email} as {role}")


@click.command("unshare")
@click.argument("project_id", type=int)
@click.argument("email")
@_url_option
@_user_option
@_db_errors
def _unshare(project_id: int, email: str, url: str | None, user: str | None) -> None:
    """Stop sharing a project you own with EMAIL."""
    from ..shared.people import unshare

    engine = _acting_engine(url, user)
    try:
        removed = unshare(engine, project_id, email)
    finally:
        engine.dispose()
    click.echo(f"project {project_id} is no longer shared with {email}" if removed else f"{email} had no access to project {project_id}")


# ---- offline-first sync (sync part; docs/sync.md) ------------------------------------


def _register_sync(cli: click.Group) -> None:
    cli.add_command(_sync)
    cli.commands["project"].add_command(_publish)


def _sync_engine(ctx_obj: object, server: str | None):  # noqa: ANN202
    """The sync engine for the local store, connected as this person: the URL as given
    if it names a login, else the signed-in person's own role (keyring password)."""
    import os

    from ..sync import SyncEngine
    from ..sync.settings import resolve_login

    services = ctx_obj.services  # type: ignore[attr-defined]
    if services.db.is_postgres:
        return SyncEngine(services)  # working on the shared store directly: nothing to sync
    login = resolve_login(server, os.environ.get("STORYCLIP_USER_EMAIL"))
    if login.url is None:
        raise click.UsageError(login.problem or "no team server")
    return SyncEngine(services, login.url)


def _server_option(fn):  # noqa: ANN001, ANN202
    return click.option("--server", help="Team server URL (default: $STORYCLIP_SYNC_URL or sync.json).")(fn)


def _changes_table(items) -> None:  # noqa: ANN001
    from .output import table

    table(
        [[r.change_id, r.outcome, r.kind, r.project_id or "-", r.message] for r in items],
        ["CHANGE", "OUTCOME", "KIND", "PROJECT", "MESSAGE"],
    )


@click.group("sync", invoke_without_command=True)
@_server_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
@click.pass_context
def _sync(ctx: click.Context, server: str | None, as_json: bool) -> None:
    """Push this machine's changes to the team server and pull everyone else's."""
    ctx.meta["sync_server"] = server
    if ctx.invoked_subcommand is not None:
        return
    from .main import Ctx
    from .output import emit_json

    engine = _sync_engine(ctx.find_object(Ctx) or Ctx(), server)
    try:
        rep = engine.sync()
        st = engine.status()
    finally:
        engine.close()
    if as_json:
        emit_json({"report": rep, "status": st})
    else:
        if st.store_kind == "shared":
            click.echo("working on the shared store directly: nothing to sync")
            return
        if rep.offline:
            click.echo(f"offline: {rep.error}; {st.pending} changes wait on this machine", err=True)
        elif rep.error:
            click.echo(f"not synced: {rep.error}", err=True)
        else:
            click.echo(
                f"pushed {rep.pushed} changes ({len(rep.applied)} applied, {len(rep.refused)} refused), "
                f"pulled {rep.pulled_rows} rows in {len(rep.projects)} projects"
            )
        if rep.unfinished:
            click.echo(f"the push ran out of time; {st.pending} changes wait and the next sync continues")
        for pid in rep.waiting:
            click.echo(f"project {pid} is busy on the team server (another installation is syncing it); "
                       "its changes wait and the next sync retries")
        for o in rep.refused:
            click.echo(f"refused {o.change.kind} ({o.change.id}): {o.message}")
        for o in rep.notices:
            click.echo(f"note: {o.message}")
        if st.refused:
            click.echo(f"{len(st.refused)} refused changes kept for you: storyclip sync refused")
    if rep.offline or rep.error:
        import sys

        sys.exit(1)  # the main entry turns SystemExit into the exit status


@_sync.command("status")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def _sync_status(ctx: click.Context, as_json: bool) -> None:
    """Store kind, team server, online or not, queued changes, last sync."""
    from .main import Ctx
    from .output import emit_json

    engine = _sync_engine(ctx.find_object(Ctx) or Ctx(), ctx.meta.get("sync_server"))
    try:
        st = engine.status()
    finally:
        engine.close()
    if as_json:
        return emit_json(st)
    online = {None: "not tried yet", True: "online", False: "offline"}[st.online]
    click.echo(f"store     {st.store_kind}")
    click.echo(f"server    {st.server or '-'}  ({online})")
    click.echo(f"pending   {st.pending}")
    click.echo(f"last sync {st.last_sync_at or 'never'}")
    if st.last_error:
        click.echo(f"error     {st.last_error}")
    click.echo(f"refused   {len(st.refused)}   notices {st.notices}")


@_sync.command("refused")
@click.option("--all", "show_all", is_flag=True, help="Notices too, and dismissed ones.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def _sync_refused(ctx: click.Context, show_all: bool, as_json: bool) -> None:
    """Changes the team server refused, with the reason (and notices with --all)."""
    from ..sync.report import reported
    from .main import Ctx
    from .output import emit_json

    services = (ctx.find_object(Ctx) or Ctx()).services
    items = reported(services, outcome=None if show_all else "refused", include_dismissed=show_all)
    if as_json:
        return emit_json(items)
    if not items:
        click.echo("nothing refused")
        return
    _changes_table(items)


@_sync.command("dismiss")
@click.argument("change_id", type=int)
@click.pass_context
def _sync_dismiss(ctx: click.Context, change_id: int) -> None:
    """Mark a refused change as read (it stays on record)."""
    from ..sync.report import dismiss
    from .main import Ctx

    services = (ctx.find_object(Ctx) or Ctx()).services
    if not dismiss(services, change_id):
        raise click.ClickException(f"no reported change {change_id}")
    click.echo(f"dismissed {change_id}")


@_sync.command("history")
@click.argument("project_id", type=int)
@click.argument("scene_id", required=False)
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def _sync_history(ctx: click.Context, project_id: int, scene_id: str | None, as_json: bool) -> None:
    """Texts that lost a same-field conflict, kept per scene."""
    from ..sync.history import scene_history
    from .main import Ctx
    from .output import emit_json, table

    items = scene_history((ctx.find_object(Ctx) or Ctx()).services, project_id, scene_id)
    if as_json:
        return emit_json(items)
    table([[h.id, h.scene_id, h.field, (h.value or "")[:50]] for h in items], ["ID", "SCENE", "FIELD", "KEPT TEXT"])


@_sync.command("restore")
@click.argument("history_id", type=int)
@click.pass_context
def _sync_restore(ctx: click.Context, history_id: int) -> None:
    """Put a kept text back into its scene (synced at the next `storyclip sync`)."""
    from ..sync.history import restore
    from .main import Ctx

    sc = restore((ctx.find_object(Ctx) or Ctx()).services, history_id)
    click.echo(f"restored into {sc.scene_id}")


@click.command("publish")
@click.argument("project_id", type=int)
@_server_option
@click.pass_context
def _publish(ctx: click.Context, project_id: int, server: str | None) -> None:
    """Move a local project, with its scenes and media, to the team server."""
    from ..sync import SyncError
    from .main import Ctx

    engine = _sync_engine(ctx.find_object(Ctx) or Ctx(), server)
    try:
        done = engine.publish(project_id)
    except SyncError as e:
        raise click.ClickException(str(e)) from None
    finally:
        engine.close()
    missing = f", {done.missing_media} media files missing" if done.missing_media else ""
    click.echo(f"published project {project_id}: {done.scenes} scenes, {done.assets} asset versions{missing}")
