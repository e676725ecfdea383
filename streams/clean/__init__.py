"""Cleaning of raw articles: HTML to text and site boilerplate removal.

    body = clean(raw)   # raw text or HTML -> body text, one paragraph per line
"""

from marsad.streams.clean.boilerplate import BoilerplateError, BoilerplateRules
from marsad.streams.clean.pipeline import clean

__all__ = ["BoilerplateError", "BoilerplateRules", "clean"]
