"""`tracker roles ...`: validate, load, list and export the role library."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from tracker.extensions import db
from tracker.formatting import plural
from tracker.services.library_files import role_yaml
from tracker.services.role_catalogue import find_role, read_catalogue, skeleton, template_file
from tracker.services.role_compare import compare as compare_versions
from tracker.services.role_compare import summary
from tracker.services.role_library import LibraryError, read_library
from tracker.services.role_versions import (
    current_version,
    library_dir,
    load_library,
    templates_overview,
    version_of,
)

DIR_OPTION = click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
                          help="Library folder (default: ROLE_LIBRARY_DIR or the shipped one).")


def _fail(error: LibraryError, outcome: str = "") -> None:
    for problem in error.problems:
        click.echo(str(problem), err=True)
    raise click.ClickException(f"{plural(len(error.problems), 'problem')} found{outcome}") from None


@click.group()
def roles():
    """The role library: YAML templates, one file per role, the baseline, and layers."""


@roles.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@DIR_OPTION
@with_appcontext
def validate(paths, directory):
    """Check every template (or just PATHS) against the schema."""
    try:
        documents = read_library(directory or library_dir(), paths or None)
    except LibraryError as error:
        _fail(error)
    goals = sum(len(m.get("goals", [])) + len(m.get("replaces", {}))
                for d in documents for m in d.data["milestones"].values())
    click.echo(f"OK: {plural(len(documents), 'file')}, {plural(goals, 'goal')}")


@roles.command()
@DIR_OPTION
@with_appcontext
def load(directory):
    """Load the library; a changed file becomes a new version, an unchanged one does nothing."""
    try:
        results = load_library(directory)
        db.session.commit()
    except LibraryError as error:
        _fail(error, "; nothing was loaded")
    for result in results:
        click.echo(f"{result.slug:40} v{result.version:<4} {result.action}")
    changed = sum(r.action != "unchanged" for r in results)
    click.echo(f"{changed} of {plural(len(results), 'template')} loaded")


@roles.command("list")
@with_appcontext
def list_roles():
    """Loaded templates with their latest version and goal count."""
    rows = templates_overview()
    if not rows:
        click.echo("No templates loaded yet; run `flask --app wsgi tracker roles load`.")
        return
    click.echo(f"{'SLUG':38} {'KIND':9} {'VERSION':8} {'GOALS':6} NAME")
    for template, version, goals in rows:
        click.echo(f"{template.slug:38} {template.kind.value:9} v{version.number:<7} {goals:<6} "
                   f"{template.name}")


@roles.command()
@click.argument("slugs", nargs=-1)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Write SLUG.yaml files here instead of printing.")
@with_appcontext
def export(slugs, out):
    """Print (or write) the latest version of templates as YAML; no SLUG means all."""
    slugs = slugs or [template.slug for template, _, _ in templates_overview()]
    for slug in slugs:
        version = current_version(slug)
        if version is None:
            raise click.ClickException(f"no template {slug!r} is loaded")
        text = role_yaml(version)
        if out:
            out.mkdir(parents=True, exist_ok=True)
            (out / f"{slug}.yaml").write_text(text, encoding="utf-8")
            click.echo(f"wrote {out / (slug + '.yaml')}")
        else:
            click.echo(f"# {slug} v{version.number}\n{text}")
    db.session.rollback()


@roles.command()
@click.argument("slug")
@click.argument("old", type=click.IntRange(min=1))
@click.argument("new", type=click.IntRange(min=1), required=False)
@with_appcontext
def compare(slug, old, new):
    """What changed between two versions of a template, goal by goal (NEW: the latest)."""
    latest = current_version(slug)
    if latest is None:
        raise click.ClickException(f"no template {slug!r} is loaded")
    versions = [version_of(slug, old), version_of(slug, new) if new else latest]
    for number, version in zip((old, new or latest.number), versions):
        if version is None:
            raise click.ClickException(f"{slug} has no version {number}; "
                                       f"its versions are 1 to {latest.number}")
    changes = compare_versions(*versions)
    click.echo(f"{slug} v{versions[0].number} -> v{versions[1].number}: "
               + (", ".join(f"{n} {kind}" for kind, n in summary(changes).items())
                  or "no changes"))
    for change in changes:
        where = " -> ".join(p.milestone.value for p in (change.before, change.after) if p)
        click.echo(f"  {change.key:48} {where:10} {', '.join(change.labels)}: {change.title}")
    db.session.rollback()


@roles.command()
@click.option("--area", help="Only roles whose area contains this text.")
@DIR_OPTION
@with_appcontext
def catalogue(area, directory):
    """Every role in the catalogue; any of them can start a template with `roles new`."""
    entries = read_catalogue(directory or library_dir())
    for entry in entries:
        if area and area.lower() not in entry.area.lower():
            continue
        click.echo(f"{entry.slug:42} {entry.area:48} {entry.name}")


@roles.command()
@click.argument("slug")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the new file (default: the library's roles/ folder).")
@DIR_OPTION
@with_appcontext
def new(slug, out, directory):
    """Start a template for a catalogue role as a skeleton to fill in.

    The skeleton takes its slug, name and area from the catalogue entry, so the finished file
    agrees with the catalogue; a role that already has a template in the library is refused
    (wherever --out points), since a second file would be a second template for one role."""
    directory = directory or library_dir()
    role = find_role(directory, slug)
    if role is None:
        raise click.ClickException(f"{slug!r} is not in the catalogue; see `tracker roles catalogue`")
    existing = template_file(directory, slug)
    if existing is not None:
        raise click.ClickException(f"{slug!r} already has a template ({existing}); edit it, "
                                   "and `roles load` makes the next version")
    target = (out or directory / "roles") / f"{slug}.yaml"
    if target.exists():
        raise click.ClickException(f"{target} already exists; not overwritten")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(skeleton(role), encoding="utf-8")
    click.echo(f"wrote {target}; replace every TODO, then run `tracker roles validate {target}`")
