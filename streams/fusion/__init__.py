"""Incident fusion: the incidents of many articles folded into one record per event.

    reports      one incident of one article, as the fold takes it (`reports_of`)
    reconcile    what the reports of one incident say together: counts, place, date, outlets
    match        may a report join an open incident (type, place, date, actors)?
    fusion       the fold: join the best open incident or open a new one; IncidentRecorded / IncidentUpdated
    expiry       open incidents are forgotten some days after their last report

All pure: the alerter's agent (`marsad.streams.alerts.agents`) and the back-test run the same functions.
"""
