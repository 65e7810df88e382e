"""The shipped BirdNET taxonomy: eBird codes and translated names of every V2.4 class."""

from __future__ import annotations

import pytest

from audioclass_gui.models import birdnet_taxonomy as tax
from audioclass_gui.models.birdnet_data import birdnet_files, read_labels


@pytest.fixture(scope="module")
def labels():
    return read_labels(birdnet_files().labels)


def test_every_birdnet_class_has_a_code_and_its_english_name(labels):
    assert len(labels) == 6522
    codes = [tax.ebird_code(s) for s, _ in labels]
    assert all(codes)
    # eBird codes are unique per species, except the non-bird classes BirdNET
    # maps onto shared codes; most classes have their own.
    assert len(set(codes)) > 6400
    assert [tax.common_name(s) for s, _ in labels] == [c for _, c in labels]


def test_known_codes_and_names():
    assert tax.ebird_code("Lanius collurio") == "rebshr1"
    assert tax.ebird_code("lanius COLLURIO ") == "rebshr1"
    assert tax.ebird_code("Setophaga castanea") == "babwar"
    assert tax.ebird_code("Noise") == "nocall"
    assert tax.ebird_code("Not a bird") is None
    assert tax.common_name("Lanius collurio", "de") == "Neuntöter"
    assert tax.common_name("Lanius collurio", "fr") == "Pie-grièche écorcheur"
    assert tax.common_name("Lanius collurio", "en_US") == "Red-backed Shrike"
    assert tax.common_name("Lanius collurio", "pt-br") == tax.common_name(
        "Lanius collurio", "pt_BR"
    )
    assert tax.common_name("Not a bird", "de") is None


def test_untranslated_names_fall_back_to_english(labels):
    # Some languages keep English names for many classes; the table stores
    # those as blanks, and the lookup gives the English name back.
    scientific, english = labels[0]
    names = {tax.common_name(scientific, lang) for lang in tax.languages()}
    assert english in names and "" not in names


def test_reverse_lookups():
    assert tax.scientific_name_for_code("rebshr1") == "Lanius collurio"
    assert tax.scientific_name_for_code("REBSHR1") == "Lanius collurio"
    assert tax.scientific_name_for_code("xx1") is None
    assert tax.scientific_name_for_common("Neuntöter", "de") == "Lanius collurio"
    assert tax.scientific_name_for_common("neuntöter") == "Lanius collurio"
    assert tax.scientific_name_for_common("Red-backed Shrike") == "Lanius collurio"
    assert tax.scientific_name_for_common("Neuntöter", "fr") is None


def test_unknown_language_names_the_known_ones():
    with pytest.raises(ValueError, match=r"'xx'.*\bde\b.*\bpt_BR\b"):
        tax.common_name("Lanius collurio", "xx")
    assert tax.languages()[0] == "en" and len(tax.languages()) == 38


def test_the_table_ships_with_its_licence():
    text = tax.licence_text()
    assert "Copyright (c) 2024 birdnet-team" in text
    assert "The above copyright notice and this permission notice shall be included" in text
    assert "BirdNET-Analyzer" in tax.ATTRIBUTION and "MIT" in tax.ATTRIBUTION
