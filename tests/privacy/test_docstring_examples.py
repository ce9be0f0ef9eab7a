"""The examples in the privacy API's docstrings are true, so the commands can trust them."""

import doctest
import importlib

import pytest

# By name: the package exports a function called `check` that hides the module of that name.
MODULES = [importlib.import_module(f"bot.privacy.{name}") for name in ("check", "refs", "regions")]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_the_docstring_examples_hold(module):
    result = doctest.testmod(module)
    assert result.attempted > 0
    assert result.failed == 0
