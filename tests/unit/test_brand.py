"""A brand colour must stay readable: WCAG 2.x contrast, AA for normal text, both as a button's background
under white text and as text on the page."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.domain.brand import (
    AA_MINIMUM,
    brand_contrast,
    contrast_ratio,
    nearest_readable,
    relative_luminance,
    shown_ratio,
)
from shared.domain.host import HostProfileUpdate


def test_relative_luminance_runs_from_black_to_white() -> None:
    assert relative_luminance("#000000") == 0
    assert relative_luminance("#ffffff") == pytest.approx(1)
    assert relative_luminance("#808080") == pytest.approx(0.2158605, abs=1e-6)


@pytest.mark.parametrize(
    ("first", "second", "ratio"),
    [
        ("#000000", "#ffffff", 21.0),
        ("#777777", "#ffffff", 4.48),  # the classic grey just below AA
        ("#767676", "#ffffff", 4.54),  # and the one just above
        ("#0000ff", "#ffffff", 8.59),
        ("#ff0000", "#ffffff", 4.00),
        ("#ffffff", "#ffffff", 1.0),
    ],
)
def test_contrast_ratios_match_the_known_pairs(first: str, second: str, ratio: float) -> None:
    assert contrast_ratio(first, second) == pytest.approx(ratio, abs=0.005)
    assert contrast_ratio(second, first) == pytest.approx(ratio, abs=0.005)


def test_a_colour_is_judged_by_its_worse_use() -> None:
    assert brand_contrast("#767676") >= AA_MINIMUM
    assert brand_contrast("#777777") < AA_MINIMUM


@pytest.mark.parametrize("color", ["#777777", "#ffcc00", "#ff5a5f", "#4caf50", "#ffffff", "#00bcd4"])
def test_the_suggestion_is_the_lightest_passing_shade_of_the_same_hue(color: str) -> None:
    suggestion = nearest_readable(color)

    assert brand_contrast(suggestion) >= AA_MINIMUM
    assert relative_luminance(suggestion) <= relative_luminance(color)
    assert brand_contrast(suggestion) < AA_MINIMUM + 0.1  # no darker than it needs to be


def test_grey_777777_is_darkened_to_a_passing_grey() -> None:
    assert nearest_readable("#777777") in {"#767676", "#757575"}


def test_a_ratio_just_under_the_minimum_is_never_shown_as_the_minimum() -> None:
    assert shown_ratio(4.4999) == 4.49
    assert shown_ratio(4.478) == 4.48
    assert shown_ratio(4.54) == 4.54


def test_a_readable_colour_is_accepted_and_lowercased() -> None:
    assert HostProfileUpdate(brand_color="#0B57D0").brand_color == "#0b57d0"
    assert HostProfileUpdate(brand_color="#767676").brand_color == "#767676"


def test_an_unreadable_colour_is_refused_with_its_ratio_and_a_suggestion() -> None:
    with pytest.raises(ValidationError) as refused:
        HostProfileUpdate(brand_color="#777777")

    (error,) = refused.value.errors()
    assert error["type"] == "brand-color-contrast"
    assert error["loc"] == ("brand_color",)
    context = error["ctx"]
    assert context["ratio"] == 4.48
    assert context["minimum"] == AA_MINIMUM
    assert brand_contrast(context["suggestion"]) >= AA_MINIMUM


@pytest.mark.parametrize("value", ["0b57d0", "#0b57d", "#0b57d0ff", "blue", "#gggggg", "rgb(0,0,0)"])
def test_a_colour_in_another_shape_is_refused(value: str) -> None:
    with pytest.raises(ValidationError, match=r"string_pattern_mismatch"):
        HostProfileUpdate(brand_color=value)


def test_null_removes_the_colour_while_other_nulls_change_nothing() -> None:
    assert HostProfileUpdate.model_validate({"brand_color": None, "display_name": None}).changes() == {
        "brand_color": None
    }
    assert HostProfileUpdate.model_validate({"locale": "id"}).changes() == {"locale": "id"}
