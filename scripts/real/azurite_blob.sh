#!/usr/bin/env bash
# Record Azurite's blob service: scripts/real/azurite.sh blob [OUT] (see there).
exec "$(dirname "$0")/azurite.sh" blob "$@"
