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
