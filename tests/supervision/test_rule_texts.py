"""A listing rule is described from its definition (``Rule.describe()``), not from texts kept per code."""

from __future__ import annotations

from flask_babel import force_locale

from app.supervision.service import rule_text


def test_default_and_configured_rules_are_described_in_chinese(app):
    app.config["LISTING_RULE_SETS"] = {"900002": [
        {"code": "orange_overdue_7", "grade": "orange", "level": None, "authority_level": "city",
         "overdue_days_over": 7}]}
    try:
        with app.test_request_context("/supervision/"), force_locale("zh_Hans_CN"):
            assert rule_text("red_major_confirmed") == "重大风险的重大隐患：确认即建议（市级督办）"
            assert rule_text("red_general_overdue") == "重大风险的一般隐患：逾期即建议（县级督办）"
            assert rule_text("yellow_overdue_30") == "一般风险：逾期超过30天（县级督办）"
            # A region's own rule: described the same way (it used to show its bare code).
            assert rule_text("orange_overdue_7") == "较大风险：逾期超过7天（市级督办）"
            assert rule_text("no_such_rule") == "no_such_rule"
    finally:
        app.config.pop("LISTING_RULE_SETS")
