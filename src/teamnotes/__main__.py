from teamnotes.cli import main

main()
