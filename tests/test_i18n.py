from app.i18n import untranslated


def test_every_ui_string_has_a_chinese_translation():
    # Run `make messages` and write the msgstr of new entries when this fails.
    assert untranslated() == {}
