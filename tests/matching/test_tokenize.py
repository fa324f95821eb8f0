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


def test_ascii_fast_path_gives_the_runs_of_the_regex() -> None:
    from itertools import chain

    from luodi.matching.tokenize import _RUN

    tok = Tokenizer()
    texts = [
        "PD-1 inhibitors, it's the PATIENTS' Trial #3 (phase-II) at 10mg/kg!",
        "tabs\tand\nnewlines\x1cfile\x1dgroup\x1eseparators\x1f_under_score",
        "A a I 1 x9 don't e.g. U.S.A. ~`@$%^&*+=[]{}|\\;:<>?/",
        "",
        "   ",
    ]
    for text in texts:
        expected = list(chain.from_iterable(tok._run_terms(r) for r in _RUN.findall(text)))
        assert tok.tokenize(text) == expected


def test_content_hash_is_unchanged_for_saved_indexes() -> None:
    # Saved indexes store these digests: a new one would re-index every document.
    from luodi.matching import Document

    doc = Document("x", {"b": "中文 ü", "a": "t"}, {"z": [1, "的"], "a": None})

    assert doc.content_hash() == (
        "b37e7e811f1b1ac149ba0742578f55834239a63c66f145038384a67af5ccd98a"
    )
