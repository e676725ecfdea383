from marsad.deploy.cli.main import main

main()
