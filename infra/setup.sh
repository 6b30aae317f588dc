#!/usr/bin/env bash
# Sets up (or brings back in line) one environment: every infra step in order. Safe to re-run:
# each step creates only what is missing and updates what it owns.
#
# Usage: PROJECT_ID=my-project-dev REGION=europe-west1 ENV=dev infra/setup.sh
#   optional: FIRESTORE_DATABASE, FIRESTORE_LOCATION, FIRESTORE_PITR, MAX_DELIVERY_ATTEMPTS,
#   ALERT_NOTIFICATION_CHANNELS, BM_APIS, AGENT_API_DOMAIN and IAP_MEMBERS (see each script)
#
# First time: run this, add the secret versions, run the deploy build, then run this again (or
# let the build's wire step do it) so the subscriptions push to the deployed functions.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
load_project_number # fails fast on a wrong project or missing credentials

run_step() {
  log "---- $1"
  bash "${INFRA_DIR}/$1"
}

run_step 00-apis.sh
run_step 10-service-accounts.sh
run_step 20-pubsub.sh
run_step 30-secrets.sh
run_step 40-firestore.sh
run_step 50-monitoring.sh
# Before the first deploy the functions do not exist yet; their subscriptions then wait as pull
# subscriptions, keeping every message, until the deploy build wires them.
ALLOW_MISSING_FUNCTIONS=1 run_step 60-subscriptions.sh
if [[ -n "${AGENT_API_DOMAIN:-}" ]]; then
  run_step 70-agent-api-iap.sh
else
  log "---- 70-agent-api-iap.sh skipped: set AGENT_API_DOMAIN to put the agent API behind IAP"
fi
log "done: ${PROJECT_ID} (${ENV}, ${REGION})"
