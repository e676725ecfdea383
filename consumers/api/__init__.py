"""The query API and the dashboard: an aiohttp server over the views (`marsad api`)."""
