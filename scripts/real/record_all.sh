#!/usr/bin/env bash
# Record the whole real-traffic set: the development servers into DEV, the held-out ones into HOLDOUT,
# the second held-out set into HOLDOUT2, the third (Prefect, Label Studio: stop 28) into HOLDOUT3, the
# fourth (Directus, PocketBase: stop 29) into HOLDOUT4, the fifth (Keycloak, Airflow: stop 30) into
# HOLDOUT5, the sixth (ZenML, Datasette: session 31) into HOLDOUT6, the seventh (Matrix Synapse,
# Unleash: session 32) into HOLDOUT7, the eighth (Parse Server, Arize Phoenix: session 33) into HOLDOUT8,
# the ninth (Strapi, doccano: session 34) into HOLDOUT9, the tenth (Pulp, Ghost: session 35) into HOLDOUT10,
# the eleventh (Node-RED, OpenFGA: session 36) into HOLDOUT11, the twelfth (NocoDB, Tiled: session 37)
# into HOLDOUT12, the thirteenth (Nautobot, changedetection.io: session 39) into HOLDOUT13, the fourteenth
# (Evidently, Gitea) into HOLDOUT14, the fifteenth (Alertmanager, Miniflux) into HOLDOUT15, the sixteenth
# (Gotify, Mailman) into HOLDOUT16, the seventeenth (Ory Hydra, Prometheus Pushgateway: stop 43) into
# HOLDOUT17, the eighteenth (Quetz, RabbitMQ: stop 44) into HOLDOUT18, the nineteenth (Syncthing, Ory
# Kratos: stop 45) into HOLDOUT19, the twentieth (Azurite's Table and Blob services, MockServer: stop
# 45) into HOLDOUT20, the twenty-first (Home Assistant, Prometheus: stop 46) into HOLDOUT21, the
# twenty-second (OctoPrint, Ray: stop 46) into HOLDOUT22, the twenty-third (JupyterHub, Gradio: stop 47)
# into HOLDOUT23 and the twenty-fourth (Luigi, pretix: stop 47) into HOLDOUT24.
# (PouchDB was recorded as held out, and is a development server since its first findings were worked
# on: stop 26; Chroma, whose keys users choose, was added as a development server in stop 27.)
#   scripts/real/record_all.sh [DEV] [HOLDOUT] [HOLDOUT2] [HOLDOUT3] [HOLDOUT4] [HOLDOUT5] [HOLDOUT6] [HOLDOUT7] [HOLDOUT8] [HOLDOUT9] [HOLDOUT10] [HOLDOUT11] [HOLDOUT12] [HOLDOUT13] [HOLDOUT14] [HOLDOUT15] [HOLDOUT16] [HOLDOUT17] [HOLDOUT18] [HOLDOUT19] [HOLDOUT20] [HOLDOUT21] [HOLDOUT22] [HOLDOUT23] [HOLDOUT24]
#   (defaults /work/realset, /work/realset-holdout, /work/realset-holdout2, /work/realset-holdout3,
#   /work/realset-holdout4, /work/realset-holdout5, /work/realset-holdout6, /work/realset-holdout7,
#   /work/realset-holdout8, /work/realset-holdout9, /work/realset-holdout10, /work/realset-holdout11,
#   /work/realset-holdout12, /work/realset-new, /work/realset-new18, /work/realset-new19, /work/realset-new20, /work/realset-new21,
#   /work/realset-new22, /work/realset-new23, /work/realset-new24, /work/realset-new25, /work/realset-new26,
#   /work/realset-new27, /work/realset-new28)
# One server after the other (each starts its server and the proxy, drives it, stops both by PID).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
DEV="${1:-/work/realset}"; HOLDOUT="${2:-/work/realset-holdout}"; HOLDOUT2="${3:-/work/realset-holdout2}"
HOLDOUT3="${4:-/work/realset-holdout3}"; HOLDOUT4="${5:-/work/realset-holdout4}"; HOLDOUT5="${6:-/work/realset-holdout5}"
HOLDOUT6="${7:-/work/realset-holdout6}"; HOLDOUT7="${8:-/work/realset-holdout7}"; HOLDOUT8="${9:-/work/realset-holdout8}"
HOLDOUT9="${10:-/work/realset-holdout9}"; HOLDOUT10="${11:-/work/realset-holdout10}"
HOLDOUT11="${12:-/work/realset-holdout11}"; HOLDOUT12="${13:-/work/realset-holdout12}"
HOLDOUT13="${14:-/work/realset-new}"; HOLDOUT14="${15:-/work/realset-new18}"; HOLDOUT15="${16:-/work/realset-new19}"; HOLDOUT16="${17:-/work/realset-new20}"
HOLDOUT17="${18:-/work/realset-new21}"; HOLDOUT18="${19:-/work/realset-new22}"; HOLDOUT19="${20:-/work/realset-new23}"
HOLDOUT20="${21:-/work/realset-new24}"; HOLDOUT21="${22:-/work/realset-new25}"; HOLDOUT22="${23:-/work/realset-new26}"
HOLDOUT23="${24:-/work/realset-new27}"; HOLDOUT24="${25:-/work/realset-new28}"
for server in jupyter mlflow kinto pouchdb chroma; do "$HERE/$server.sh" "$DEV"; done
for server in devpi verdaccio wiremock; do "$HERE/$server.sh" "$HOLDOUT"; done
for server in moto; do "$HERE/$server.sh" "$HOLDOUT2"; done
for server in prefect labelstudio; do "$HERE/$server.sh" "$HOLDOUT3"; done
for server in directus pocketbase; do "$HERE/$server.sh" "$HOLDOUT4"; done
for server in keycloak airflow; do "$HERE/$server.sh" "$HOLDOUT5"; done
for server in zenml datasette; do "$HERE/$server.sh" "$HOLDOUT6"; done
for server in synapse unleash; do "$HERE/$server.sh" "$HOLDOUT7"; done
for server in parse phoenix; do "$HERE/$server.sh" "$HOLDOUT8"; done
for server in strapi doccano; do "$HERE/$server.sh" "$HOLDOUT9"; done
for server in pulp ghost; do "$HERE/$server.sh" "$HOLDOUT10"; done
for server in nodered openfga; do "$HERE/$server.sh" "$HOLDOUT11"; done
for server in nocodb tiled; do "$HERE/$server.sh" "$HOLDOUT12"; done
for server in nautobot changedetection; do "$HERE/$server.sh" "$HOLDOUT13"; done
for server in evidently gitea; do "$HERE/$server.sh" "$HOLDOUT14"; done
for server in alertmanager miniflux; do "$HERE/$server.sh" "$HOLDOUT15"; done
for server in gotify mailman; do "$HERE/$server.sh" "$HOLDOUT16"; done
for server in hydra pushgateway; do "$HERE/$server.sh" "$HOLDOUT17"; done
for server in quetz rabbitmq; do "$HERE/$server.sh" "$HOLDOUT18"; done
for server in syncthing kratos; do "$HERE/$server.sh" "$HOLDOUT19"; done
for server in azurite_table azurite_blob mockserver; do "$HERE/$server.sh" "$HOLDOUT20"; done
for server in homeassistant prometheus; do "$HERE/$server.sh" "$HOLDOUT21"; done
for server in octoprint ray; do "$HERE/$server.sh" "$HOLDOUT22"; done
for server in jupyterhub gradio; do "$HERE/$server.sh" "$HOLDOUT23"; done
for server in luigi pretix; do "$HERE/$server.sh" "$HOLDOUT24"; done
