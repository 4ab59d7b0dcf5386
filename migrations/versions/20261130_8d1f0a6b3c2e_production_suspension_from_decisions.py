"""the hazard's production suspension from the on-site measures decisions only (issue 17 item 2)

No schema change. The treatment plan's free field and confirm's are gone; ``audit verify`` now replays
``production_suspension`` from ``onsite_measures`` events only. So the hazards' column is recomputed
once: the latest decision's suspension, "none" without one. The column stays (the status is read in
lists and prints without a query per hazard) but only ``record_onsite_measures`` writes it. Events are
not touched: older plan_saved / confirm events keep the value they carried (history shows it).

Revision ID: 8d1f0a6b3c2e
Revises: c2c34466c996
Create Date: 2026-11-30 05:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = "8d1f0a6b3c2e"
down_revision = "c2c34466c996"
branch_labels = None
depends_on = None

hazards = sa.table("hazards", sa.column("id", sa.Integer), sa.column("production_suspension", sa.String))
events = sa.table("hazard_events", sa.column("hazard_id", sa.Integer), sa.column("seq", sa.Integer),
                  sa.column("trigger", sa.String), sa.column("data", sa.JSON))


def recompute(connection) -> None:
    latest: dict[int, str] = {}
    rows = connection.execute(sa.select(events.c.hazard_id, events.c.data)
                              .where(events.c.trigger == "onsite_measures")
                              .order_by(events.c.hazard_id, events.c.seq))
    for hazard_id, data in rows:
        if data and data.get("production_suspension"):
            latest[hazard_id] = data["production_suspension"]
    # Only rows that differ are written (each write marks the hazard for incremental verification).
    connection.execute(hazards.update().where(hazards.c.production_suspension != "none",
                                              hazards.c.id.not_in(list(latest) or [0]))
                       .values(production_suspension="none"))
    for hazard_id, value in latest.items():
        connection.execute(hazards.update().where(hazards.c.id == hazard_id,
                                                  hazards.c.production_suspension != value)
                           .values(production_suspension=value))


def upgrade():
    recompute(op.get_bind())


def downgrade():
    # The free values were never the hazard's status in this revision's sense; nothing to restore.
    pass
