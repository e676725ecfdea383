"""`python -m streams classify|worker ...`: the same as `marsad classify|worker`."""

from deploy.cli import cli

if __name__ == "__main__":
    cli(prog_name="python -m streams")
