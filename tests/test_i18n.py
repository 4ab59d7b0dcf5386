from app.i18n import untranslated


def test_every_ui_string_has_a_chinese_translation():
    # Run `make messages` and write the msgstr of new entries when this fails.
    assert untranslated() == {}


def test_one_catalog_for_the_whole_application():
    """Features do not keep catalogs of their own (issue 12 item 9): a word that means different things
    in different features is told apart by a gettext context, not by which catalog a page loads."""
    from app.i18n import APP

    assert [str(p.relative_to(APP)) for p in APP.glob("*/translations")] == []


def test_a_word_with_two_meanings_is_translated_by_its_context(app):
    from flask_babel import force_locale, gettext, pgettext

    with app.test_request_context(), force_locale("zh_CN"):
        assert pgettext("hazards", "Void") == "撤销"
        assert pgettext("documents", "Void") == "作废"
        assert pgettext("hazards", "Level") == "隐患级别"
        assert pgettext("supervision", "Level") == "督办层级"
        assert gettext("This field is required.") == "此项为必填项。"


def test_labels_are_declared_beside_their_enums_and_translated_where_shown(app):
    """Two enums of the same name (the supervision listing and the dishonesty listing) keep their own
    labels; a word with two meanings gets the right one."""
    from flask_babel import force_locale

    from app.documents.models import DocumentStatus
    from app.labels import label
    from workflows import credit, listing_states
    from workflows.hazard_states import HazardState

    with app.test_request_context(), force_locale("zh_CN"):
        assert label(HazardState.voided) == "已撤销"
        assert label(DocumentStatus.voided) == "已作废"
        assert label(listing_states.ListingState.listed) == "挂牌督办中"
        assert label(credit.ListingState.listed) == "已列入"


def test_an_enum_member_without_a_label_is_refused_where_declared():
    import enum

    import pytest

    from workflows.labels import N_, labelled

    class Colour(enum.StrEnum):
        red = "red"
        blue = "blue"

    with pytest.raises(ValueError, match="blue"):
        labelled(Colour, {Colour.red: N_("Red")})
