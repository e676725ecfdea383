"""`python -m producers`: the poller service alone, same options as `marsad produce`."""

from producers.cli import produce_cmd

if __name__ == "__main__":
    produce_cmd.main(prog_name="python -m producers")
