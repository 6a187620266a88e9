#!/usr/bin/env bash
# Record Azurite's table service: scripts/real/azurite.sh table [OUT] (see there).
exec "$(dirname "$0")/azurite.sh" table "$@"
