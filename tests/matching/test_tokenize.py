from __future__ import annotations

from luodi.matching import Tokenizer


def test_tokenizer_mixed_chinese_english_in_one_pass() -> None:
    tok = Tokenizer()

    terms = tok.tokenize("糖尿病肾病患者的 Clinical Trials of PD-1 inhibitors")

    assert "糖尿病" in terms and "肾病" in terms  # jieba search mode sub-words
    assert "clinic" in terms and "trial" in terms and "inhibitor" in terms  # stemmed, lowercased
    assert "of" not in terms and "的" not in terms  # stop words in both languages


def test_tokenizer_user_words_kept_whole() -> None:
    plain = Tokenizer(cjk_ngrams=())
    custom = Tokenizer(user_words=["成都医学城"], cjk_ngrams=())

    assert "成都医学城" not in plain.tokenize("位于成都医学城的园区")
    assert "成都医学城" in custom.tokenize("位于成都医学城的园区")


def test_tokenizer_user_words_do_not_leak_to_other_instances() -> None:
    Tokenizer(user_words=["天府国际生物城"], cjk_ngrams=()).tokenize("天府国际生物城")

    assert "天府国际生物城" not in Tokenizer(cjk_ngrams=()).tokenize("天府国际生物城")


def test_tokenizer_analyze_keeps_surface_forms() -> None:
    pairs = Tokenizer().analyze("Screening Trials")

    assert pairs == [("screen", "Screening"), ("trial", "Trials")]
