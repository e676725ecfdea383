"""`marsad views` with a pause inside every write transaction, for the kill -9 tests.

After a batch's rows (articles, or incidents) are written and before its commit, it writes the
marker file named by MARSAD_TEST_MARKER and sleeps MARSAD_TEST_PAUSE
seconds: a test that sees the marker knows the process is mid-batch, and
kills it there. Nothing of this is in marsad itself.

    python -m tests.consumers.views_process [views options]
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from marsad.consumers.store import incidents, sqlstore


def main() -> None:
    marker = Path(os.environ["MARSAD_TEST_MARKER"])
    pause = float(os.environ.get("MARSAD_TEST_PAUSE", "0.2"))
    write_rows = sqlstore.SqlStore._upsert

    def write_rows_then_pause(self, tx, rows):
        write_rows(self, tx, rows)
        marker.write_text(str(len(rows)))
        time.sleep(pause)
        marker.unlink(missing_ok=True)

    sqlstore.SqlStore._upsert = write_rows_then_pause
    apply_incidents = incidents.apply

    def apply_incidents_then_pause(tx, events, insert):
        n = apply_incidents(tx, events, insert)
        marker.write_text(str(n))
        time.sleep(pause)
        marker.unlink(missing_ok=True)
        return n

    incidents.apply = apply_incidents_then_pause
    from marsad.deploy.cli.main import main as marsad
    sys.argv = ["marsad", "views", *sys.argv[1:]]
    marsad()


if __name__ == "__main__":
    main()
