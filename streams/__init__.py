"""The stages that turn text into facts. On import, the guard of the compiled stages
(`marsad.streams.compiled`) makes sure no compiled module older than its source runs."""

from marsad.streams.compiled import guard

guard()
