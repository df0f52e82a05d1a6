"""`python -m fastapi_practices` is the `fastapi-practices` command."""

import sys

from fastapi_practices.cli import main

sys.exit(main())
