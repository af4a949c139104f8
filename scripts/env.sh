# Sourced (not run): puts the provisioned tools first on PATH.
_aegis_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -x "$_aegis_root/.tools/node/bin/node" ]; then PATH="$_aegis_root/.tools/node/bin:$PATH"; fi
PATH="$_aegis_root/.tools/bin:$_aegis_root/node_modules/.bin:$PATH"
export PATH
export AEGIS_OPA="${AEGIS_OPA:-$_aegis_root/.tools/bin/opa}"
unset _aegis_root
