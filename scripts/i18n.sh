#!/usr/bin/env bash
# Re-extract message ids, merge them into the Urdu catalogue and compile it.
# Translate new entries in src/safecity/web/locale/ur/LC_MESSAGES/messages.po, then run again.
set -euo pipefail
cd "$(dirname "$0")/.."
loc=src/safecity/web/locale
pybabel extract -F babel.cfg -k N_ -o "$loc/messages.pot" src/safecity
if [ -f "$loc/ur/LC_MESSAGES/messages.po" ]; then
  pybabel update -i "$loc/messages.pot" -d "$loc" -l ur
else
  pybabel init -i "$loc/messages.pot" -d "$loc" -l ur
fi
pybabel compile -d "$loc" -l ur --statistics
