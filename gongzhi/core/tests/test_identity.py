import datetime as dt

import pytest

from gongzhi.core.identity import (
    DocumentType,
    InvalidDocument,
    InvalidPhone,
    Sex,
    check_char,
    parse_document,
    parse_phone,
    upgrade_legacy_citizen_id,
)

TODAY = dt.date(2026, 11, 27)


@pytest.mark.parametrize(
    ("number", "born", "sex"),
    [
        ("11010519491231002X", dt.date(1949, 12, 31), Sex.FEMALE),
        ("321083197812162119", dt.date(1978, 12, 16), Sex.MALE),
        ("11010519491231002x", dt.date(1949, 12, 31), Sex.FEMALE),  # lower-case x is upper-cased
    ],
)
def test_citizen_id_valid_numbers_give_birth_date_and_sex(number, born, sex):
    document = parse_document(DocumentType.CITIZEN_ID, number, today=TODAY)
    assert document.type == DocumentType.CITIZEN_ID
    assert document.number == number.upper()
    assert document.birth_on == born
    assert document.sex == sex


def test_citizen_id_bad_check_digit_names_the_expected_character():
    with pytest.raises(InvalidDocument, match="应为 X，实际为 1"):
        parse_document(DocumentType.CITIZEN_ID, "110105194912310021", today=TODAY)


def test_citizen_id_unknown_area_code_is_accepted():
    # 349999 is no county, but codes are those in force at issue time: never reject on the area code.
    first17 = "34999919800101001"
    document = parse_document(DocumentType.CITIZEN_ID, first17 + check_char(first17), today=TODAY)
    assert document.birth_on == dt.date(1980, 1, 1)


def test_citizen_id_unknown_province_prefix_is_rejected():
    first17 = "99999919800101001"[:17].replace("9", "0", 1)  # 0999... starts with 0: no province
    with pytest.raises(InvalidDocument, match="省级行政区划代码"):
        parse_document(DocumentType.CITIZEN_ID, first17 + check_char(first17), today=TODAY)


@pytest.mark.parametrize("date_part", ["19800230", "19801301", "20270101", "18991231"])
def test_citizen_id_impossible_or_future_birth_date_is_rejected(date_part):
    first17 = f"340303{date_part}001"
    with pytest.raises(InvalidDocument, match="出生日期"):
        parse_document(DocumentType.CITIZEN_ID, first17 + check_char(first17), today=TODAY)


def test_citizen_id_wrong_length_says_how_long_it_was():
    with pytest.raises(InvalidDocument, match="实际为17位"):
        parse_document(DocumentType.CITIZEN_ID, "34030319800101001", today=TODAY)


def test_legacy_15_digit_id_is_accepted_and_searchable_as_its_18_digit_form():
    document = parse_document(DocumentType.CITIZEN_ID, "340303500101003", today=TODAY)
    assert document.number == "340303500101003"
    assert document.birth_on == dt.date(1950, 1, 1)
    assert document.sex == Sex.MALE
    assert document.search_key == upgrade_legacy_citizen_id("340303500101003")
    assert document.search_key == "34030319500101003" + check_char("34030319500101003")


@pytest.mark.parametrize("prefix", ["810000", "820000", "830000"])
def test_hmt_residence_permits_are_accepted_even_when_filed_as_citizen_ids(prefix):
    first17 = f"{prefix}19900101002"
    number = first17 + check_char(first17)
    assert parse_document(DocumentType.HMT_RESIDENCE_PERMIT, number, today=TODAY).type == (
        DocumentType.HMT_RESIDENCE_PERMIT
    )
    assert parse_document(DocumentType.CITIZEN_ID, number, today=TODAY).type == DocumentType.HMT_RESIDENCE_PERMIT


@pytest.mark.parametrize(
    ("number", "born", "sex"),
    [
        ("932682198501010017", dt.date(1985, 1, 1), Sex.MALE),  # official sample: Jiangsu, Saudi Arabia
        ("911124198108030024", dt.date(1981, 8, 3), Sex.FEMALE),  # official sample: Beijing, Canada
    ],
)
def test_2023_foreign_permanent_residence_card_official_samples_pass(number, born, sex):
    for declared in (DocumentType.FOREIGN_PR, DocumentType.CITIZEN_ID):
        document = parse_document(declared, number, today=TODAY)
        assert document.type == DocumentType.FOREIGN_PR
        assert document.birth_on == born
        assert document.sex == sex


def test_foreign_pr_type_rejects_a_citizen_number():
    with pytest.raises(InvalidDocument, match="以9开头"):
        parse_document(DocumentType.FOREIGN_PR, "321083197812162119", today=TODAY)


@pytest.mark.parametrize(
    ("doc_type", "number"),
    [
        (DocumentType.FOREIGN_PR_2017, "USA110080012345"),
        (DocumentType.PASSPORT, "E12345678"),
        (DocumentType.PASSPORT, "ab 1234567"),
        (DocumentType.HMT_TRAVEL_PERMIT, "H12345678"),
        (DocumentType.HMT_TRAVEL_PERMIT, "12345678"),
        (DocumentType.MILITARY, "军字第123456号"),
        (DocumentType.OTHER, "X-2024-0001"),
    ],
)
def test_other_document_types_are_validated_by_their_own_format(doc_type, number):
    assert parse_document(doc_type, number, today=TODAY).type == doc_type


@pytest.mark.parametrize(
    ("doc_type", "number", "message"),
    [
        (DocumentType.FOREIGN_PR_2017, "US1100800123456", "3位字母"),
        (DocumentType.PASSPORT, "E12", "5至17位"),
        (DocumentType.HMT_TRAVEL_PERMIT, "X12345678", "H或M"),
        (DocumentType.CITIZEN_ID, "", "不能为空"),
        ("driving_licence", "123456", "未知的证件类型"),
    ],
)
def test_other_document_types_reject_bad_formats_with_a_reason(doc_type, number, message):
    with pytest.raises(InvalidDocument, match=message):
        parse_document(doc_type, number, today=TODAY)


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("8613800138000", "13800138000"),
        ("0086 19912345678", "19912345678"),
        ("0552-1234567", "05521234567"),
        ("+852 9123 4567", "+85291234567"),
        ("+886 912 345 678", "+886912345678"),
    ],
)
def test_phone_numbers_mainland_landline_and_international(raw, normalised):
    assert parse_phone(raw) == normalised


@pytest.mark.parametrize("raw", ["12800138000", "1380013800", "138001380001", "abc", "+0123456"])
def test_phone_numbers_invalid(raw):
    with pytest.raises(InvalidPhone):
        parse_phone(raw)
