import sys

from storyclip_desktop.cli.main import main

sys.exit(main())
