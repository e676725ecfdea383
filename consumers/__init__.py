"""Consumers: materialised views of the event log, its replay, and the query API.

    articles.processed, alerts, incidents
        ──► consume (batches, offsets in the view DB) ──► store (SQLite | PostgreSQL)
                                                             │
        replay (fresh DB from offset 0, swapped in) ─────────┤
                                                             ▼
                          query (filters) ──► api (HTTP JSON) / marsad query

`rows` turns an event into table rows (pure), `store` keeps them behind one
interface for both databases, `consume` and `replay` are the Kafka shells,
`query` parses and validates filters for the API and the command line.
`alerts` holds the alert rows of the views and `marsad alerts deliver`
(alerts topic ──► signed webhooks, JSON lines). `incidents` holds the incident
rows of the views (the governorates they are counted by come from
`marsad.streams.extract.gazetteer.admin1`). `query` also refuses a topic or
organisation id the taxonomy in force does not have.
`rows` and `store.hashing` are compiled with mypyc where a C compiler is present
(`marsad.streams.compiled`): the guard below runs before any of them is imported.
"""

from marsad.streams.compiled import guard

guard()
