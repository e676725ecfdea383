"""Classification of cleaned articles: topics and organisations from a taxonomy.

    taxonomy = Taxonomy.load()                 # once, at start-up
    norm = normalize(clean_text)
    topics = classify(norm, taxonomy, title_norm=normalize(title))
    orgs = find_orgs(norm, taxonomy)
    topics, orgs = topics_and_orgs(norm, taxonomy, title_norm=normalize(title))  # both, one scan

Pure functions: no I/O after the taxonomy is loaded.
"""

from marsad.streams.classify.combined import topics_and_orgs
from marsad.streams.classify.orgs import find_orgs
from marsad.streams.classify.parse import TaxonomyError
from marsad.streams.classify.scoring import classify
from marsad.streams.classify.taxonomy import Taxonomy

__all__ = ["Taxonomy", "TaxonomyError", "classify", "find_orgs", "topics_and_orgs"]
