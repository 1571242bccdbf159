"""Commands `truongso index rebuild` and `truongso index status`: the tutor's index from the database."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

console = Console()
app = typer.Typer(help="The AI tutor's index (FAISS + BM25 snapshots built from the database).", no_args_is_help=True)


@app.command("rebuild")
def rebuild() -> None:
    """Chunk every published material that lacks chunks, then rebuild every shard's snapshot (safe to re-run)."""
    from ai_tutor import indexing
    from lms_core.cli import _migrate
    from lms_core.db import session_scope

    _migrate()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console) as bar:
        tasks: dict[str, int] = {}

        def progress(stage: str, done: int, total: int) -> None:
            label = {"chunk": "Chia đoạn học liệu", "build": "Dựng chỉ mục"}.get(stage, stage)
            if stage not in tasks:
                tasks[stage] = bar.add_task(label, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        with session_scope() as db:
            reports = indexing.rebuild(db, progress=progress)
    for r in reports:
        console.print(f"[green]✓[/] {r.shard}: {r.chunks} chunks, {r.embedded} embedded, {r.seconds:.1f} s")


@app.command("status")
def status() -> None:
    """Show each shard: chunks, generation, the generation its snapshot holds, when it was built."""
    from sqlalchemy import select

    from ai_tutor.models import TutorShard
    from lms_core.cli import _migrate
    from lms_core.db import session_scope

    _migrate()
    table = Table()
    for col in ("shard", "chunks", "generation", "built", "built at"):
        table.add_column(col)
    with session_scope() as db:
        for s in db.scalars(select(TutorShard).order_by(TutorShard.name)):
            table.add_row(s.name, str(s.chunks), str(s.generation), str(s.built_generation), str(s.built_at or "—"))
    console.print(table)


def register(root: typer.Typer) -> None:
    """Add `index …` to the command line."""
    root.add_typer(app, name="index")
