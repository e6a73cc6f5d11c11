import sys

from gridvisit.cli import main

sys.exit(main())
