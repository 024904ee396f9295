"""``govpulse user ...``: add, list and disable accounts, and make API tokens, from the command line.

The command line is run by the installation's owner, so it acts with ``Scope.system()``; every write is still
audited, with the actor ``cli:<operating-system user>``.
"""

from __future__ import annotations

import getpass
import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from govpulse.catalog.audit import Actor, set_actor
from govpulse.catalog.db import make_engine, make_session_factory, migrate
from govpulse.catalog.repositories.credentials import TokenRepository
from govpulse.catalog.repositories.paging import MAX_PAGE_SIZE, PageRequest
from govpulse.catalog.repositories.users import AssignmentSpec, InvalidUser, UserRepository, assignment_dict
from govpulse.core.access import ROLES, InvalidAssignment
from govpulse.core.scope import Scope
from govpulse.settings import Settings

app = typer.Typer(help="Accounts: add, list, disable; API tokens.", no_args_is_help=True)
console = Console()


def _settings(ctx: typer.Context) -> Settings:
    return ctx.obj if isinstance(ctx.obj, Settings) else Settings()


@contextmanager
def _session(settings: Settings) -> Iterator[Session]:
    """An audited session on the migrated catalogue; commits on success. Errors in the input end the command
    with a clear message and exit code 1, writing nothing."""
    engine = make_engine(settings.database_url)
    try:
        migrate(engine)
        factory = make_session_factory(engine)
        with factory() as session:
            set_actor(session, Actor(username=f"cli:{getpass.getuser()}", via="cli"))
            try:
                yield session
                session.commit()
            except (InvalidAssignment, InvalidUser, ValueError) as error:
                session.rollback()
                console.print(f"[red]{error}[/]")
                raise typer.Exit(1) from error
    finally:
        engine.dispose()


@app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="User name.")],
    role: Annotated[str, typer.Option("--role", help=f"One of: {', '.join(ROLES)}.")],
    org_unit: Annotated[Optional[str], typer.Option("--org-unit", help="Org unit code (e.g. a district's LGD "
                                                                       "code).")] = None,
    department: Annotated[Optional[list[str]], typer.Option("--department", help="Department code (repeat for "
                                                                                 "several).")] = None,
    source: Annotated[Optional[list[str]], typer.Option("--source", help="Operators: source code (repeat).")] = None,
    password: Annotated[Optional[str], typer.Option("--password", help="Password; leave out to print a "
                                                                       "one-time password.")] = None,
    full_name: Annotated[str, typer.Option("--full-name", help="The person's name.")] = "",
) -> None:
    """Add an account with one role at an org unit, optionally limited to departments. The password (given or
    printed) is chosen for the person, so they must change it at their first sign-in (/account/password)."""
    one_time = password or secrets.token_urlsafe(12)
    spec = AssignmentSpec(role=role, org_unit=org_unit, departments=tuple(department or ()),
                          sources=tuple(source or ()))
    with _session(_settings(ctx)) as session:
        UserRepository(session).create(Scope.system(), username=name, password=one_time, full_name=full_name,
                                       assignments=[spec], must_change_password=True)
    where = f" at {org_unit}" if org_unit else ""
    console.print(f"[green]Added[/] {name}: {role}{where}")
    console.print(f"{name} must change this password at the first sign-in (/account/password); API tokens "
                  f"made with `govpulse user token` work meanwhile.")
    if not password:
        console.print(f"One-time password for {name}: [bold]{one_time}[/]")


@app.command("list")
def list_users(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List the accounts and their roles."""
    with _session(_settings(ctx)) as session:
        repo = UserRepository(session)
        users = repo.list(Scope.system(), PageRequest(page_size=MAX_PAGE_SIZE)).items
        roles = repo.assignments(users)
        rows = [{"username": u.username, "full_name": u.full_name, "is_active": u.is_active,
                 "roles": [assignment_dict(a) for a in roles[u.id]]} for u in users]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(title="Accounts")
    for column in ("user", "name", "status", "roles"):
        table.add_column(column)
    for row in rows:
        described = "; ".join(f"{r['role']}{' at ' + r['org_unit'] if r['org_unit'] else ''}"
                              f"{' (' + ', '.join(r['departments']) + ')' if r['departments'] else ''}"
                              for r in row["roles"])
        table.add_row(row["username"], row["full_name"], "active" if row["is_active"] else "disabled", described)
    console.print(table)


@app.command("disable")
def disable(ctx: typer.Context, name: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Disable an account: it can no longer sign in, and its sessions and tokens stop working."""
    with _session(_settings(ctx)) as session:
        if UserRepository(session).disable(Scope.system(), name) is None:
            console.print(f"[red]No user named {name!r}[/]")
            raise typer.Exit(1)
    console.print(f"[green]Disabled[/] {name}")


@app.command("token")
def token(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="User name.")],
    label: Annotated[str, typer.Option("--name", help="What the token is for.")] = "cli",
) -> None:
    """Make an API token for an account (printed once; only its hash is kept)."""
    with _session(_settings(ctx)) as session:
        user = UserRepository(session).for_sign_in(name)
        if user is None:
            console.print(f"[red]No user named {name!r}[/]")
            raise typer.Exit(1)
        _row, secret = TokenRepository(session).create(user, Scope.system(), name=label)
    typer.echo(secret)
