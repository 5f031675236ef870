"""`python -m bench` (and `make bench`): every stage beside its peer in one run; see bench/suite.py."""
from bench.suite import main

main()
