"""national risk model: analysis objects, risk events, control measures, suspensions; national hazard codes

Issue 13 (docs/national-model-mapping.md). The risk point becomes the 风险分析单元 of a 风险分析对象
(``risk_objects``); each point gets **one risk event** carrying its grade and its whole assessment history
(``risk_assessments.event_id``), and the measures of its ``controls`` JSON become ``control_measures`` rows,
classified by the table of docs/national-model-mapping.md (frozen copy below), each with the
``"<category>:<index>"`` key it had (``legacy_key``): the key of the older check records. ``controls`` is
left as it was (nothing is lost; the migration can be run down).

Hazards gain the national enumerations (``danger_source``, ``hazard_type``, ``manage_type``, the
``enforcement_number``), the measure and check record that found them, and ``reported_by_duty``. The
existing hazards' values are mapped from today's (``source`` → ``danger_source``; 限期整改; 其他) and, as
every change of a hazard's columns, recorded in its history: one ``reclassify`` event appended to each
chain (keyed with the current chain key; ``audit verify`` replays it). Running down removes those events
again (they are the last of their chains unless the hazard changed since: then the downgrade refuses).

Revision ID: 7b3e5a91c0d4
Revises: 4c1d7e9a2b30
Create Date: 2026-11-30 00:30:00

"""
import hashlib
import hmac
import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '7b3e5a91c0d4'
down_revision = '4c1d7e9a2b30'
branch_labels = None
depends_on = None

# Frozen copies (this revision must not change when the code does) -------------------------------

CATEGORIES = ("engineering", "management", "training", "ppe", "emergency")  # their order on the card
CATEGORY_TO_NATIONAL = {  # workflows.national_codes.CATEGORY_TO_NATIONAL
    "engineering": ("1", "1-5"), "management": ("3", "3-4"), "training": ("3", "3-1"),
    "ppe": ("4", "4-2"), "emergency": ("4", "4-5"),
}
SOURCE_TO_DANGER_SOURCE = {  # workflows.national_codes.SOURCE_TO_DANGER_SOURCE
    "self_inspection": "routine", "government_inspection": "other", "public_report": "other",
    "third_party": "expert_diagnosis",
}
LEGACY_HAZARD_TYPE = "other"
LEGACY_MANAGE_TYPE = "deadline"
RECLASSIFY_COMMENT = "国家数据模型编码（迁移）"

points = sa.table(
    "risk_points", sa.column("id", sa.Integer), sa.column("enterprise_id", sa.Integer),
    sa.column("name", sa.String), sa.column("accident_types", sa.JSON), sa.column("controls", sa.JSON),
    sa.column("assessed_grade", sa.String), sa.column("effective_grade", sa.String),
    sa.column("method", sa.String), sa.column("score", sa.Float), sa.column("ruleset_version", sa.String),
    sa.column("last_assessed_on", sa.Date), sa.column("created_at", sa.DateTime))
risk_events = sa.table(
    "risk_events", sa.column("id", sa.Integer), sa.column("enterprise_id", sa.Integer),
    sa.column("risk_point_id", sa.Integer), sa.column("name", sa.String), sa.column("description", sa.Text),
    sa.column("accident_type", sa.String), sa.column("initial_grade", sa.String),
    sa.column("current_grade", sa.String), sa.column("method", sa.String), sa.column("score", sa.Float),
    sa.column("ruleset_version", sa.String), sa.column("last_assessed_on", sa.Date),
    sa.column("position", sa.Integer), sa.column("created_at", sa.DateTime))
measures = sa.table(
    "control_measures", sa.column("enterprise_id", sa.Integer), sa.column("risk_point_id", sa.Integer),
    sa.column("event_id", sa.Integer), sa.column("description", sa.Text), sa.column("classify1", sa.String),
    sa.column("classify2", sa.String), sa.column("classify3", sa.String), sa.column("data_source", sa.String),
    sa.column("check_content", sa.Text), sa.column("legacy_key", sa.String), sa.column("position", sa.Integer),
    sa.column("active", sa.Boolean), sa.column("created_at", sa.DateTime))
assessments = sa.table("risk_assessments", sa.column("risk_point_id", sa.Integer),
                       sa.column("event_id", sa.Integer))
hazards = sa.table(
    "hazards", sa.column("id", sa.Integer), sa.column("source", sa.String), sa.column("state", sa.String),
    sa.column("danger_source", sa.String), sa.column("hazard_type", sa.String),
    sa.column("manage_type", sa.String), sa.column("chain_seq", sa.Integer), sa.column("chain_hash", sa.String))
events = sa.table(
    "hazard_events", sa.column("id", sa.Integer), sa.column("hazard_id", sa.Integer),
    sa.column("seq", sa.Integer), sa.column("trigger", sa.String), sa.column("from_state", sa.String),
    sa.column("to_state", sa.String), sa.column("actor_id", sa.Integer), sa.column("actor_role", sa.String),
    sa.column("comment", sa.Text), sa.column("data", sa.JSON), sa.column("created_at", sa.DateTime),
    sa.column("prev_hash", sa.String), sa.column("key_id", sa.String), sa.column("hash", sa.String))


def _canonical(body: dict) -> bytes:
    # Frozen copy of app.hazards.history.canonical.
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _keys():
    from flask import current_app

    from app.integrity import chain_keys

    return chain_keys(current_app)


def _now():
    now = datetime.now(UTC).replace(tzinfo=None)  # stored datetimes are naive UTC (app.clock.utcnow)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


# Schema ---------------------------------------------------------------------------------------------

def _create_tables():
    op.create_table(
        'risk_objects',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=128), nullable=False),
        sa.Column('kind', sa.String(length=64), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('hazard_source_code', sa.String(length=64), nullable=True),
        sa.Column('major_hazard_level', sa.Integer(), nullable=True),
        sa.Column('principal_user_id', sa.Integer(), nullable=True),
        sa.Column('technical_user_id', sa.Integer(), nullable=True),
        sa.Column('operator_user_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.Enum('active', 'retired', name='riskobjectstatus', native_enum=False,
                                    length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.CheckConstraint('major_hazard_level IS NULL OR major_hazard_level BETWEEN 1 AND 4',
                           name='ck_risk_objects_major_hazard_level'),
        sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id']),
        sa.ForeignKeyConstraint(['operator_user_id'], ['users.id']),
        sa.ForeignKeyConstraint(['principal_user_id'], ['users.id']),
        sa.ForeignKeyConstraint(['technical_user_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('enterprise_id', 'name'),
    )
    with op.batch_alter_table('risk_objects', schema=None) as batch_op:
        for column in ('enterprise_id', 'operator_user_id', 'principal_user_id', 'technical_user_id'):
            batch_op.create_index(batch_op.f(f'ix_risk_objects_{column}'), [column], unique=False)

    with op.batch_alter_table('risk_points', schema=None) as batch_op:
        batch_op.add_column(sa.Column('object_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_risk_points_object_id'), ['object_id'], unique=False)
        batch_op.create_foreign_key('fk_risk_points_object_id_risk_objects', 'risk_objects', ['object_id'],
                                    ['id'])

    grade = sa.Enum('red', 'orange', 'yellow', 'blue', name='grade', native_enum=False, length=32)
    op.create_table(
        'risk_events',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.Column('risk_point_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=128), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('accident_type', sa.String(length=16), nullable=True),
        sa.Column('initial_grade', grade, nullable=True),
        sa.Column('current_grade', grade, nullable=True),
        sa.Column('method', sa.String(length=16), nullable=True),
        sa.Column('score', sa.Float(), nullable=True),
        sa.Column('ruleset_version', sa.String(length=64), nullable=True),
        sa.Column('last_assessed_on', sa.Date(), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id']),
        sa.ForeignKeyConstraint(['risk_point_id'], ['risk_points.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('risk_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_events_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_events_risk_point_id'), ['risk_point_id'], unique=False)

    op.create_table(
        'control_measures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.Column('risk_point_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.Integer(), nullable=False),
        sa.Column('description', sa.Text(), nullable=False),
        sa.Column('classify1', sa.String(length=2), nullable=False),
        sa.Column('classify2', sa.String(length=4), nullable=False),
        sa.Column('classify3', sa.String(length=64), nullable=False),
        sa.Column('data_source', sa.Enum('automatic', 'manual', name='measuredatasource', native_enum=False,
                                         length=32), nullable=False),
        sa.Column('check_content', sa.Text(), nullable=False),
        sa.Column('legacy_key', sa.String(length=64), nullable=True),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id']),
        sa.ForeignKeyConstraint(['event_id'], ['risk_events.id']),
        sa.ForeignKeyConstraint(['risk_point_id'], ['risk_points.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('control_measures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_control_measures_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_control_measures_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_control_measures_risk_point_id'), ['risk_point_id'], unique=False)
        batch_op.create_index('ix_control_measures_point_legacy_key', ['risk_point_id', 'legacy_key'],
                              unique=False)

    op.create_table(
        'risk_suspensions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('enterprise_id', sa.Integer(), nullable=False),
        sa.Column('object_id', sa.Integer(), nullable=True),
        sa.Column('risk_point_id', sa.Integer(), nullable=True),
        sa.Column('starts_at', sa.DateTime(), nullable=False),
        sa.Column('ends_at', sa.DateTime(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('(object_id IS NULL) <> (risk_point_id IS NULL)', name='ck_risk_suspensions_one_target'),
        sa.CheckConstraint('ends_at > starts_at', name='ck_risk_suspensions_period'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id']),
        sa.ForeignKeyConstraint(['enterprise_id'], ['enterprises.id']),
        sa.ForeignKeyConstraint(['object_id'], ['risk_objects.id']),
        sa.ForeignKeyConstraint(['risk_point_id'], ['risk_points.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('risk_suspensions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_suspensions_enterprise_id'), ['enterprise_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_suspensions_object_id'), ['object_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_risk_suspensions_risk_point_id'), ['risk_point_id'], unique=False)

    with op.batch_alter_table('risk_assessments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('event_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_risk_assessments_event_id'), ['event_id'], unique=False)
        batch_op.create_foreign_key('fk_risk_assessments_event_id_risk_events', 'risk_events', ['event_id'],
                                    ['id'])


def _hazard_columns_added():
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('danger_source', sa.Enum(
            'routine', 'comprehensive', 'specialized', 'seasonal', 'key_period', 'accident_analogy',
            'resumption', 'expert_diagnosis', 'measure_failure', 'other', name='dangersource',
            native_enum=False, length=32), nullable=True))
        batch_op.add_column(sa.Column('hazard_type', sa.Enum(
            'safety', 'process', 'electrical', 'instrument', 'fire', 'layout', 'equipment', 'other',
            name='hazardtype', native_enum=False, length=32), nullable=True))
        batch_op.add_column(sa.Column('manage_type', sa.Enum(
            'immediate', 'deadline', name='managetype', native_enum=False, length=32), nullable=True))
        batch_op.add_column(sa.Column('enforcement_number', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('control_measure_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('check_record_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('reported_by_duty', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.create_index(batch_op.f('ix_hazards_control_measure_id'), ['control_measure_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hazards_check_record_id'), ['check_record_id'], unique=False)
        batch_op.create_foreign_key('fk_hazards_control_measure_id_control_measures', 'control_measures',
                                    ['control_measure_id'], ['id'])


def _hazard_columns_required():
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        for name in ('danger_source', 'hazard_type', 'manage_type'):
            batch_op.alter_column(name, existing_type=sa.String(length=32), nullable=False)


# Data -----------------------------------------------------------------------------------------------

def _migrate_points():
    """One event per risk point (its grade and assessments), its measures as control_measures rows."""
    conn = op.get_bind()
    now = _now()
    for point in conn.execute(sa.select(points).order_by(points.c.id)).all():
        accident_types = point.accident_types or []
        event_id = conn.execute(risk_events.insert().values(
            enterprise_id=point.enterprise_id, risk_point_id=point.id, name=point.name, description="",
            accident_type=accident_types[0] if accident_types else None,
            initial_grade=point.assessed_grade, current_grade=point.effective_grade, method=point.method,
            score=point.score, ruleset_version=point.ruleset_version, last_assessed_on=point.last_assessed_on,
            position=0, created_at=point.created_at or now,
        ).returning(risk_events.c.id)).scalar_one()
        conn.execute(assessments.update().where(assessments.c.risk_point_id == point.id).values(event_id=event_id))
        controls = point.controls or {}
        rows, position = [], 0
        # Categories in their card order; anything else a hand-edited row may hold is kept too (其它).
        for category in (*CATEGORIES, *sorted(set(controls) - set(CATEGORIES))):
            classify1, classify2 = CATEGORY_TO_NATIONAL.get(category, ("3", "3-4"))
            for index, text in enumerate(controls.get(category) or []):
                rows.append(dict(
                    enterprise_id=point.enterprise_id, risk_point_id=point.id, event_id=event_id,
                    description=str(text), classify1=classify1, classify2=classify2, classify3="",
                    data_source="manual", check_content="", legacy_key=f"{category}:{index}",
                    position=position, active=True, created_at=now))
                position += 1
        if rows:
            conn.execute(measures.insert(), rows)


def _reclassify_hazards():
    """Map each hazard's national codes from today's values and record it at the end of its history."""
    conn = op.get_bind()
    for source, danger_source in SOURCE_TO_DANGER_SOURCE.items():
        conn.execute(hazards.update().where(hazards.c.source == source).values(danger_source=danger_source))
    conn.execute(hazards.update().where(hazards.c.danger_source.is_(None)).values(danger_source="other"))
    conn.execute(hazards.update().values(hazard_type=LEGACY_HAZARD_TYPE, manage_type=LEGACY_MANAGE_TYPE))
    rows = conn.execute(sa.select(hazards).where(hazards.c.chain_seq > 0).order_by(hazards.c.id)).all()
    if not rows:
        return  # a fresh install: no history to extend, no key needed
    keys = _keys()
    key_id, secret = keys.current_id, keys.secrets.get(keys.current_id)
    for hazard in rows:
        body = {
            "hazard_id": hazard.id, "seq": hazard.chain_seq + 1, "trigger": "reclassify",
            "from_state": hazard.state, "to_state": hazard.state, "actor_id": None, "actor_role": None,
            "comment": RECLASSIFY_COMMENT,
            "data": {"danger_source": hazard.danger_source, "hazard_type": hazard.hazard_type,
                     "manage_type": hazard.manage_type},
            "created_at": _now(), "prev_hash": hazard.chain_hash, "key_id": key_id,
        }
        signed = dict(body, created_at=body["created_at"].isoformat(timespec="milliseconds"))
        digest = hmac.new(secret, _canonical(signed), hashlib.sha256).hexdigest() if secret else None
        conn.execute(events.insert().values(**body, hash=digest))
        conn.execute(hazards.update().where(hazards.c.id == hazard.id).values(
            chain_seq=hazard.chain_seq + 1, chain_hash=digest))


def upgrade():
    _create_tables()
    _hazard_columns_added()
    _migrate_points()
    _reclassify_hazards()
    _hazard_columns_required()


def _unchain_reclassify():
    conn = op.get_bind()
    rows = conn.execute(sa.select(events).where(events.c.trigger == "reclassify",
                                                events.c.comment == RECLASSIFY_COMMENT)).all()
    heads = {r.id: r.chain_seq for r in conn.execute(sa.select(hazards.c.id, hazards.c.chain_seq))}
    later = [r.hazard_id for r in rows if heads.get(r.hazard_id) != r.seq]
    if later:
        raise RuntimeError("hazards changed since the national codes were recorded; their histories cannot "
                           "be cut back: " + ", ".join(map(str, sorted(later))))
    for row in rows:
        conn.execute(events.delete().where(events.c.id == row.id))
        conn.execute(hazards.update().where(hazards.c.id == row.hazard_id).values(
            chain_seq=row.seq - 1, chain_hash=row.prev_hash))


def downgrade():
    _unchain_reclassify()
    with op.batch_alter_table('hazards', schema=None) as batch_op:
        batch_op.drop_constraint('fk_hazards_control_measure_id_control_measures', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_hazards_check_record_id'))
        batch_op.drop_index(batch_op.f('ix_hazards_control_measure_id'))
        for name in ('reported_by_duty', 'check_record_id', 'control_measure_id', 'enforcement_number',
                     'manage_type', 'hazard_type', 'danger_source'):
            batch_op.drop_column(name)
    with op.batch_alter_table('risk_assessments', schema=None) as batch_op:
        batch_op.drop_constraint('fk_risk_assessments_event_id_risk_events', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_risk_assessments_event_id'))
        batch_op.drop_column('event_id')
    op.drop_table('risk_suspensions')
    op.drop_table('control_measures')
    op.drop_table('risk_events')
    with op.batch_alter_table('risk_points', schema=None) as batch_op:
        batch_op.drop_constraint('fk_risk_points_object_id_risk_objects', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_risk_points_object_id'))
        batch_op.drop_column('object_id')
    op.drop_table('risk_objects')
