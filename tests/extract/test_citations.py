"""References a document makes: 文号 in every bracket form, with and without the issuer, 《titles》,
paired when the 文号 follows its title; the document's own 文号 and title are not references."""
from __future__ import annotations

from archive.extract.citations import find_references, title_key
from archive.extract.docnumber import find_doc_numbers, number_key, same_issuer


def _numbers(text):
    return [(d.issuer, d.year, d.number) for _, _, d in find_doc_numbers(text)]


def test_every_bracket_form_and_the_written_year_are_found():
    text = ("根据湘政办发〔2021〕12号、永政发[2020]3号和祁政办发（2019）7号文件，"
            "按照湘政发2018年5号要求，参照〔2017〕9号。")
    assert _numbers(text) == [("湘政办发", 2021, 12), ("永政发", 2020, 3), ("祁政办发", 2019, 7),
                              ("湘政发", 2018, 5), (None, 2017, 9)]


def test_a_date_is_not_a_doc_number():
    assert _numbers("2021年12月3日印发，2021年第3季度") == []


def test_title_and_its_doc_number_are_one_reference():
    refs = find_references("根据《湖南省政务公开工作要点》（湘政办发〔2021〕12号）精神，制定本方案。")
    assert len(refs) == 1
    ref = refs[0]
    assert (ref.doc_number, ref.issuer, ref.key, ref.title) == ("湘政办发〔2021〕12号", "湘政办发", "2021:12",
                                                                  "湖南省政务公开工作要点")


def test_titles_alone_numbers_alone_and_nested_titles():
    refs = find_references("贯彻《关于印发〈永州市实施方案〉的通知》和湘政发[2020]3号文件精神，落实《中华人民共和国政府信息公开条例》。")
    assert [(r.title, r.doc_number) for r in refs] == [
        ("关于印发〈永州市实施方案〉的通知", None), (None, "湘政发[2020]3号"), ("中华人民共和国政府信息公开条例", None)]
    assert refs[0].title_key == "关于印发永州市实施方案的通知"


def test_own_doc_number_and_the_plan_a_notice_carries_are_not_references():
    text = "祁政办发〔2024〕5号\n现将《祁阳市政务公开实施方案》印发给你们。依据永政办发〔2023〕8号。"
    refs = find_references(text, own_title="关于印发《祁阳市政务公开实施方案》的通知", own_number="祁政办发〔2024〕5号")
    assert [r.doc_number for r in refs] == ["永政办发〔2023〕8号"]


def test_the_same_reference_twice_is_kept_once_with_what_each_mention_adds():
    refs = find_references("根据湘政办发〔2021〕12号文件……《湖南省要点》（湘政办发〔2021〕12号）要求")
    assert len(refs) == 1 and refs[0].title == "湖南省要点" and refs[0].doc_number == "湘政办发〔2021〕12号"


def test_keys_ignore_brackets_widths_and_issuer_prefixes():
    a, b = find_doc_numbers("湘政办发〔2021〕12号")[0][2], find_doc_numbers("省政府办公厅湘政办发[２０２１]１２号")[0][2]
    assert number_key(a) == number_key(b) == "2021:12"
    assert same_issuer(a.issuer, b.issuer) and not same_issuer("湘政办发", "永政办发")
    assert title_key("《湖南省 要点》") == title_key("湖南省要点")


def test_bad_input_gives_no_references():
    assert find_references("") == [] and find_references("《》《x》〔〕号") == []


def test_books_songs_and_papers_in_title_marks_are_not_references():
    refs = find_references("著有《董寿平书画集》《洪湖赤卫队》，依据《中华人民共和国安全生产法》和"
                           "《全民健身计划(2011-2015)》、《某某办法(征求意见稿)》，参见《董寿平画集》（湘文发〔2020〕3号）。")
    assert [r.title for r in refs] == ["中华人民共和国安全生产法", "全民健身计划(2011-2015)", "某某办法(征求意见稿)", "董寿平画集"]
