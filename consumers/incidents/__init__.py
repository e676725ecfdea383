"""Incidents on the consumer side: their rows in the views and the governorate of their place.

- `rows`: IncidentRecorded / IncidentUpdated as one view row per incident (the
  highest revision wins), with its reports and parties, used by the view stores;
- `admin1`: which governorate (GeoNames admin1) a place lies in, from
  ``admin1.yaml`` and ``admin1-points.tsv``.

Fusing articles' incidents across outlets lives in `streams`; the incidents'
SQL is `consumers.store.incidents`, their exports `consumers.api.incident_exports`.
"""
