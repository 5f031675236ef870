"""`python -m fuzz [--seconds 30] [TARGET …]`: see fuzz/run.py."""
from fuzz.run import main

main()
