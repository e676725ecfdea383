"""Incidents: the security events an article reports (../shared/spec/incidents.md).

`find_incidents` is a pure stage like places and quantities: it reads the
clean text (and its normalised form) with the facts the earlier stages
found, and returns one `Incident` per distinct event reported as news.
Steps, in order:

1. cues        one pass of the vocabulary's automaton over the article
               (triggers by type and cue words, `vocab`); none: no incident
2. sentences   the sentences holding a trigger (`sentences`), a clause of
               contrast with a trigger of its own ("، في حين قتل ...",
               ", while ...") cut off as a sentence of its own
3. exclusion   a trigger whose clause tells background, ongoing activity,
               the future or a statement is dropped; so is a caption, a
               section's heading, a period's total of events counted, a
               sentence dated over a month before publication (or weeks
               before it in an earlier month), and a pluperfect one
               ("وكان ...") without a recent day
4. type        the first trigger left leads (weak ones only without a
               strong one); an attack with an aircraft is an airstrike
5. facts       the date (`dates`), place (`where`), counts (`counts`),
               actors and targets (`roles`) and seizure quantities of
               the sentence
6. merge       sentences telling the same event become one incident
               (`merge`; sentences naming a day, the event's or the
               saying's, go first, the headline last); a sentence summing
               several events up is settled once all are told, and a
               lead's total of the events told after it gives each its
               share; an incident still without a day takes
               the day named at the top of the article (only its
               announcement was dated)

The steps are in `coder` (compiled with the other modules of this package,
`marsad.streams.compiled`); this module only names what the package offers.
"""

from marsad.streams.extract.incidents.coder import find_incidents
from marsad.streams.extract.incidents.vocab import IncidentVocab, IncidentVocabError

__all__ = ["IncidentVocab", "IncidentVocabError", "find_incidents"]
