"""Extraction stages: places with coordinates, countries, quantities, incidents.

Pure functions over an article's clean text (and its normalised form), with
their vocabularies in data files beside them:

- `places.find_places`            gazetteer places (gazetteer/, places.yaml; the
                                  context rules in place_context)
- `countries.find_countries`      ISO codes (countries.yaml)
- `quantities.find_quantities`    drug and money quantities (quantities.yaml)
- `incidents.find_incidents`      the security events reported (incidents/incidents.yaml)

`places.find_places_and_countries` gives both of the first two with one pass
over the text (what `marsad.streams.pipeline.analyse` uses).
"""
