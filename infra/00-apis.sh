#!/usr/bin/env bash
# Enables the APIs the pipeline needs and makes sure the Pub/Sub service agent exists (the
# dead-letter grants in later steps name it). Enabling is idempotent.
# Usage: PROJECT_ID=… REGION=… ENV=… infra/00-apis.sh
#   BM_APIS  Business Messages APIs to enable (default below); set it empty to skip them.
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
load_project_number # fails fast on a wrong project or missing credentials

apis=(
  cloudfunctions.googleapis.com # gen2 functions API used by `gcloud functions deploy`
  run.googleapis.com            # gen2 functions run as Cloud Run services
  cloudbuild.googleapis.com     # builds function images and runs cloudbuild.yaml
  artifactregistry.googleapis.com
  pubsub.googleapis.com
  firestore.googleapis.com
  secretmanager.googleapis.com
  logging.googleapis.com
  monitoring.googleapis.com
  iam.googleapis.com
  iamcredentials.googleapis.com # Pub/Sub mints OIDC tokens for authenticated push
  cloudresourcemanager.googleapis.com
)
# The sender calls the Business Messages API as its own service account, so it is enabled here.
read -r -a bm_apis <<<"${BM_APIS-businessmessages.googleapis.com businesscommunications.googleapis.com}"
apis+=("${bm_apis[@]}")

log "enabling ${#apis[@]} APIs"
gc services enable "${apis[@]}"

# The service agent is created lazily; creating its identity is idempotent (returns the
# existing one).
log "ensuring the Pub/Sub service agent exists"
gc beta services identity create --service=pubsub.googleapis.com --format=none
