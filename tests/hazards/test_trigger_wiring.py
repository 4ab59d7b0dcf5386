"""Every trigger of the hazard machine is wired end to end: a trigger half-added fails here.

A trigger lives in workflows/hazard.py (the machine) and needs, in the app: its function in the
service, its form (the page), its API schema (the OpenAPI document), its policy rule (who may fire
it) and its label (the button, the history, in Chinese).
"""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from app import access
from app.hazards import api, forms, service
from workflows import hazard as machine

TRIGGERS = tuple(machine.MACHINE.events)


def test_the_machine_has_the_ten_triggers():
    assert TRIGGERS == ("confirm", "void", "submit", "accept", "reject", "extend", "regrade", "reassign",
                        "request_extension", "decide_extension")


@pytest.mark.parametrize("trigger", TRIGGERS)
def test_trigger_has_function_form_schema_rule_and_label(app, trigger):
    fields = set(service.trigger_fields(trigger))
    assert "version" in fields  # every trigger takes the version read (a stale page answers 409)

    with app.test_request_context():
        form = forms.TRIGGER_FORMS[trigger](meta={"csrf": False})
        form_fields = set(form._fields) - {"photos"}  # uploads go through add_attachment first
    assert form_fields == fields, "the form asks for what the trigger takes"

    schema_fields = set(api.TRIGGER_SCHEMAS[trigger]._declared_fields)
    assert schema_fields == fields | {"trigger"}, "the API schema declares what the trigger takes"
    assert set(api.TransitionArgs._declared_fields) >= schema_fields  # the route accepts them

    assert f"hazard.{trigger}" in access.RULES, "someone must be allowed to fire it"

    with app.test_request_context(), force_locale("zh_Hans_CN"):
        label = service.trigger_label(trigger)
    assert label != trigger and not label.isascii(), f"{trigger} has no Chinese label ({label!r})"


def test_the_openapi_document_names_one_schema_per_trigger(app):
    with app.app_context():
        from app.extensions import api as smorest

        spec = smorest.spec.to_dict()
    body = spec["paths"]["/api/v1/hazards/{hazard_id}/transitions"]["post"]["requestBody"]
    refs = [s["$ref"].rsplit("/", 1)[1] for s in body["content"]["application/json"]["schema"]["oneOf"]]
    assert refs == [api.TRIGGER_SCHEMAS[t].__name__ for t in TRIGGERS]
    confirm = spec["components"]["schemas"]["HazardConfirmArgs"]
    assert confirm["properties"]["trigger"]["enum"] == ["confirm"]
    assert {"level", "deadline", "responsible_user_id", "measures"} <= set(confirm["properties"])
    assert "reason" not in confirm["properties"]


def test_fire_dispatches_to_the_trigger_function():
    assert set(service.TRIGGER_FUNCTIONS) == set(TRIGGERS)
    assert all(service.TRIGGER_FUNCTIONS[t].__name__ == t for t in TRIGGERS)
