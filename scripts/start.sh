#!/usr/bin/env bash
# The one command that sets everything up and runs Aegis on the example policies,
# embedded default (local bundle file, SQLite state under ./data): `npm start`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/setup.sh node deps opa
source scripts/env.sh
mkdir -p build
bin/aegis build policies/examples -o build/examples.tar.gz
exec bin/aegis serve --bundle build/examples.tar.gz "$@"
