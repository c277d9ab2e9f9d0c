from bench.api.cli import main

main()
