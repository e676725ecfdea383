"""Text in, facts out: the one function every consumer of the stages calls.

The Faust agents (`marsad.streams.agents`), `marsad classify`, reprocessing and
back-tests all run `analyse`, so they cannot disagree. Stages, in order:

1. clean        HTML to text, site boilerplate removed (`marsad.streams.clean`)
2. normalise    the matching form of title and body (`marsad.streams.text.normalize`)
3. classify     topics with scores and evidence (`marsad.streams.classify`)
4. orgs         organisations by taxonomy id (`marsad.streams.classify.orgs`)
5. places       gazetteer places with coordinates (`marsad.streams.extract.places`)
6. countries    ISO codes, named or inferred from places (`marsad.streams.extract.countries`)
7. quantities   drugs and money with units (`marsad.streams.extract.quantities`)
8. incidents    the security events reported, with date, place, actors, counts (`marsad.streams.extract.incidents`)

`Resources` holds what is loaded once at start-up (taxonomy, gazetteer,
boilerplate rules, incident vocabulary); nothing is rebuilt per article.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from marsad.schemas.events import ArticleFetched, ArticleProcessed, source_kind_of
from marsad.schemas.facts import Incident, Org, Place, Quantity, Topic
from marsad.streams.classify import Taxonomy
from marsad.streams.classify.combined import topics_orgs_and_mentions
from marsad.streams.clean.boilerplate import DEFAULT_PATH as BOILERPLATE_FILE
from marsad.streams.clean.boilerplate import BoilerplateRules
from marsad.streams.clean.pipeline import clean_and_map
from marsad.streams.extract.countries import load_country_vocab
from marsad.streams.extract.gazetteer.model import Gazetteer, load_gazetteer
from marsad.streams.extract.incidents import IncidentVocab, find_incidents
from marsad.streams.extract.lexicon import joint_automaton
from marsad.streams.extract.places import find_places_and_countries
from marsad.streams.extract.quantities import find_quantities
from marsad.streams.extract.quantity_vocab import load_quantity_vocab
from marsad.streams.text.automaton import Automaton
from marsad.streams.text.lang import detect_lang
from marsad.streams.text.normalize import normalize


@dataclass(frozen=True)
class Resources:
    taxonomy: Taxonomy
    gazetteer: Gazetteer
    boilerplate: BoilerplateRules
    boilerplate_version: str  # content hash of the rules file
    incidents: IncidentVocab
    # the files they were loaded from (None: the bundled one), for worker processes to load the same
    sources: tuple[str | None, str | None] = (None, None)

    @classmethod
    def load(cls, taxonomy_file: str | Path | None = None, incidents_file: str | Path | None = None) -> Resources:
        """Load everything once; a bad taxonomy or incident vocabulary raises its own error naming the entry."""
        rules_hash = hashlib.blake2b(BOILERPLATE_FILE.read_bytes(), digest_size=8).hexdigest()
        res = cls(Taxonomy.load(taxonomy_file or None), load_gazetteer(), BoilerplateRules.default(), rules_hash,
                  IncidentVocab.load(incidents_file or None),
                  (str(taxonomy_file) if taxonomy_file else None, str(incidents_file) if incidents_file else None))
        # Places, quantities (their scale and unit stems) and incidents all scan the article's matching
        # form: one pass of one engine serves them all.
        Automaton.share(joint_automaton((res.gazetteer.lexicon, load_country_vocab().lexicon)),
                        res.incidents.matcher.automaton, load_quantity_vocab().stems)
        return res

    @property
    def taxonomy_version(self) -> str:
        return self.taxonomy.version

    @property
    def gazetteer_version(self) -> str:
        return self.gazetteer.version

    @property
    def version(self) -> str:
        """One hash of everything that decides the output, recorded in every ArticleProcessed."""
        parts = f"{self.taxonomy.version}:{self.gazetteer.version}:{self.boilerplate_version}:{self.incidents.version}"
        return hashlib.blake2b(parts.encode(), digest_size=8).hexdigest()


@dataclass(frozen=True)
class Analysis:
    lang: str
    clean_text: str
    norm_text: str  # matching form of clean_text (dedup fingerprints use it)
    topics: list[Topic]
    places: list[Place]
    countries: list[str]
    orgs: list[Org]
    quantities: list[Quantity]
    incidents: list[Incident]


def analyse(text: str, res: Resources, *, title: str = "", lang: str = "",
            published: date | None = None) -> Analysis:
    """Clean, classify and extract one article (see the module docstring for the order)."""
    written = clean_and_map(text, res.boilerplate)  # one map of the body's offsets, for quoting as written
    body, norm = written.source, written.norm
    title_norm = normalize(title) if title else ""
    topics, orgs, org_mentions = topics_orgs_and_mentions(norm, res.taxonomy, title_norm, text=body,
                                                          title_text=title or None, written=written)
    places, countries = find_places_and_countries(norm, res.gazetteer, text=body, written=written)
    quantities = find_quantities(body, norm=norm, written=written, published=published)
    lang = lang or detect_lang(body)
    incidents = find_incidents(body, norm, lang=lang, published=published, places=places, orgs=orgs,
                               quantities=quantities, vocab=res.incidents, taxonomy=res.taxonomy, written=written,
                               org_mentions=[(m.word_start, m.word_end, m.entry.id) for m in org_mentions])
    return Analysis(lang, body, norm, topics, places, countries, orgs, quantities, incidents)


def processed_event_id(fetched: ArticleFetched, res: Resources) -> str:
    """Deterministic: the same fetched event under the same resources gives the same id,
    so a redelivery, a worker restart or a reprocessing never makes a second event."""
    return hashlib.blake2b(f"{fetched.event_id}:{res.version}".encode(), digest_size=16).hexdigest()


def process_fetched(fetched: ArticleFetched, res: Resources) -> tuple[ArticleProcessed, Analysis]:
    """The ArticleProcessed of one fetched article (duplicate verdict left to the caller), and its analysis.

    It carries the source's kind (as the fetched event says, else as its origin tells) and the
    revision: an edited post's later version has the same article id and replaces the earlier one.

    The worker's agents and `marsad replay --reprocess` both build their events here.
    """
    published = fetched.published.date() if fetched.published else None
    facts = analyse(fetched.text, res, title=fetched.title, lang=fetched.lang, published=published)
    article = ArticleProcessed(
        event_id=processed_event_id(fetched, res), causation_id=fetched.event_id,
        article_id=fetched.article_id, url=fetched.url, source=fetched.source, title=fetched.title,
        published=fetched.published, lang=facts.lang, clean_text=facts.clean_text, topics=facts.topics,
        places=facts.places, countries=facts.countries, orgs=facts.orgs, quantities=facts.quantities,
        incidents=facts.incidents, taxonomy_version=res.taxonomy_version, gazetteer_version=res.gazetteer_version,
        source_kind=source_kind_of(fetched), edited=fetched.edited, revision=fetched.revision)
    return article, facts
