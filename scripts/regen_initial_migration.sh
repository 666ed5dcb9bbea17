#!/usr/bin/env bash
# While nothing has been released the schema lives in one initial migration,
# regenerated from the models. After the first release, add revisions instead.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
rm -f src/safecity/migrations/versions/0001_initial.py
python - "$tmp/empty.db" <<'PY'
import sys
from alembic import command
from safecity.core.migrate import alembic_config
cfg = alembic_config(f"sqlite:///{sys.argv[1]}")
command.revision(cfg, message="initial schema", autogenerate=True, rev_id="0001")
PY
f=$(ls src/safecity/migrations/versions/0001_*.py)
[ "$f" = src/safecity/migrations/versions/0001_initial.py ] || mv "$f" src/safecity/migrations/versions/0001_initial.py
ruff format -q src/safecity/migrations/versions/0001_initial.py
ruff check -q --fix src/safecity/migrations/versions/0001_initial.py || true
rm -rf "$tmp"
echo "regenerated src/safecity/migrations/versions/0001_initial.py"
