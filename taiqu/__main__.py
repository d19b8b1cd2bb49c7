import sys

from taiqu.cli import main

sys.exit(main())
