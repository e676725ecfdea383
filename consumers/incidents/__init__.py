"""Incidents on the consumer side: their rows in the views.

- `rows`: IncidentRecorded / IncidentUpdated as one view row per incident (the
  highest revision wins), with its reports and parties, used by the view stores.

The governorate (GeoNames admin1) of an incident's place comes from
`marsad.streams.extract.gazetteer.admin1`, the one answer fusion uses too.

Fusing articles' incidents across outlets lives in `streams`; the incidents'
SQL is `marsad.consumers.store.incidents`, their exports `marsad.consumers.api.incident_exports`.
"""
