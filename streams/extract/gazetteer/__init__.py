"""The places gazetteer: data file, loader, and the build that writes it; `admin1`: the region of each place."""

from marsad.streams.extract.gazetteer.model import Gazetteer, PlaceEntry, load_gazetteer

__all__ = ["Gazetteer", "PlaceEntry", "load_gazetteer"]
