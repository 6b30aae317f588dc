# shellcheck shell=bash
# shellcheck disable=SC2034 # the constants are used by the scripts that source this file
# Shared by every infra script: configuration, the one table of names, and helpers that make
# each step safe to re-run. Sourced, never executed.
#
# Required environment:
#   PROJECT_ID   the Google Cloud project of ONE environment (one project per environment)
#   REGION       the region of the functions, topics' message storage and Firestore default
#   ENV          a short label for the environment (dev, staging, prod); lowercase
# Optional:
#   FIRESTORE_DATABASE     database ID the functions use (default "(default)")
#   FIRESTORE_LOCATION     Firestore location when creating the database (default $REGION)
#   MAX_DELIVERY_ATTEMPTS  attempts before a message is dead-lettered (default 10)
#
# Every gcloud call goes through `gc`, which pins --project so a script can never act on
# whatever project happens to be the caller's gcloud default.

set -euo pipefail

INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly INFRA_DIR

: "${PROJECT_ID:?set PROJECT_ID to the Google Cloud project of this environment}"
: "${REGION:?set REGION, e.g. europe-west1}"
: "${ENV:?set ENV, e.g. dev, staging or prod}"
FIRESTORE_DATABASE="${FIRESTORE_DATABASE:-(default)}"
FIRESTORE_LOCATION="${FIRESTORE_LOCATION:-$REGION}"
MAX_DELIVERY_ATTEMPTS="${MAX_DELIVERY_ATTEMPTS:-10}"

[[ "$ENV" =~ ^[a-z][a-z0-9-]{0,30}$ ]] || {
  echo "ERROR: ENV must be lowercase letters, digits and hyphens (it becomes a label): $ENV" >&2
  exit 1
}

# ---------------------------------------------------------------------------------------------
# Names. Environments are separate projects, so resource names carry no environment suffix and
# the topic IDs are exactly the defaults the functions' config falls back to.

readonly TOPICS=(inbound automation live-agent outbound quarantine)

# Deployment names are kebab-case: a gen2 function is a Cloud Run service, whose name is
# lowercase. The entry points (the FUNCTION_TARGET the platform sets) are the contract's names.
readonly DEPLOYMENTS=(webhook classifier automation live-agent agent-api sender)
readonly EVENT_DEPLOYMENTS=(classifier automation live-agent sender)

# Event functions whose traffic can be moved to a brand's own deployment (see brand.sh).
readonly BRAND_DEPLOYMENTS=(automation sender)

# Shared subscriptions of brandable functions take everything NOT marked dedicated; a brand's
# own subscription takes that brand's dedicated messages. Filters are immutable after creation,
# so the shared side is written once, generically, and never needs to change when brands come
# and go.
readonly SHARED_FILTER='NOT attributes.dedicated = "true"'

# Retry policy of every push subscription: the same exponential backoff (10 s to 600 s) that
# `gcloud functions deploy --retry` gives an Eventarc trigger.
readonly MIN_RETRY_DELAY=10s
readonly MAX_RETRY_DELAY=600s

readonly LABELS="app=bm-pipeline,env=${ENV}"

# The topic an event function consumes.
source_topic() {
  case "$1" in
    classifier) echo inbound ;;
    automation) echo automation ;;
    live-agent) echo live-agent ;;
    sender) echo outbound ;;
    *) die "not an event function: $1" ;;
  esac
}

# Topics each function may publish to; its service account gets roles/pubsub.publisher on
# these topics only. Keep in step with the code's bus.publish() calls: a missing grant fails
# the publish at run time (PERMISSION_DENIED), an extra one is privilege nobody needs.
publishes_to() {
  case "$1" in
    webhook) echo "inbound quarantine" ;;
    classifier) echo "automation live-agent quarantine" ;;
    automation) echo "outbound quarantine" ;;
    live-agent) echo "outbound quarantine" ;;
    agent-api) echo "outbound" ;;
    sender) echo "quarantine" ;;
    *) die "unknown deployment: $1" ;;
  esac
}

# Function timeout in seconds; cloudbuild.yaml deploys with the same --timeout (a test checks).
# A push subscription's ack deadline is also the HTTP timeout of the push, so it must cover the
# whole invocation including a cold start, or Pub/Sub re-sends a message that is still running.
timeout_seconds() {
  case "$1" in
    classifier | automation | live-agent | sender) echo 60 ;;
    *) die "no timeout defined for $1" ;;
  esac
}
ack_deadline_seconds() { echo $(($(timeout_seconds "$1") + 30)); }

# Secrets, as Secret Manager IDs; only the webhook reads them.
readonly PARTNER_KEY_SECRET=bm-partner-key
readonly CLIENT_TOKEN_SECRET=bm-client-token

# Service account IDs. Brand deployments run as their function's account: same code, same needs.
runtime_sa_id() { echo "${1}-fn"; }
readonly PUSH_SA_ID=pubsub-push       # identity Pub/Sub signs push requests with (run.invoker)
readonly DEPLOYER_SA_ID=bm-deployer   # Cloud Build's identity for cloudbuild.yaml
readonly BUILDER_SA_ID=bm-fn-builder  # builds the function images (--build-service-account)

sa_email() { echo "${1}@${PROJECT_ID}.iam.gserviceaccount.com"; }

push_subscription() { echo "${1}-push"; }
dead_letter_topic() { echo "${1}-push-dlq"; }
# A topic without subscriptions drops what is published to it, so every dead-letter topic has a
# pull subscription that keeps its messages for inspection and replay.
dead_letter_hold() { echo "${1}-push-dlq-hold"; }
readonly QUARANTINE_HOLD=quarantine-hold

# Brand IDs become part of Cloud Run service names (max 49 characters, lowercase, starting with a
# letter: "automation-" + 36 fits) and of a Pub/Sub filter, so only a safe alphabet is accepted.
validate_brand() {
  [[ "$1" =~ ^[a-z0-9][a-z0-9-]{0,34}[a-z0-9]$ ]] ||
    die "brand ID must be 2-36 lowercase letters, digits or hyphens: '$1'"
}
brand_filter() { echo "attributes.brand = \"$1\" AND attributes.dedicated = \"true\""; }

# ---------------------------------------------------------------------------------------------
# Helpers

log() { printf '==> %s\n' "$*" >&2; }
die() {
  printf 'ERROR: %s\n' "$*" >&2
  exit 1
}

gc() { gcloud "$@" --project="$PROJECT_ID" --quiet; }

# exists DESCRIBE-COMMAND...: 0 if the resource exists, 1 if Google says it does not. Any other
# failure (permissions, network, typo) stops the script rather than being taken for "absent".
exists() {
  local err
  if err="$(gc "$@" --format=none 2>&1 >/dev/null)"; then
    return 0
  fi
  if grep -qiE 'not[ _]?found|does not exist' <<<"$err"; then
    return 1
  fi
  printf '%s\n' "$err" >&2
  die "cannot tell whether this exists: gcloud $*"
}

# value FIELD DESCRIBE-COMMAND...: one field of an existing resource, e.g. `value topic pubsub
# subscriptions describe S`.
value() {
  local field="$1"
  shift
  gc "$@" --format="value(${field})"
}

# IAM changes right after an account is created can fail until the account has propagated.
with_retries() {
  local attempt
  for attempt in 1 2 3 4 5; do
    if "$@"; then return 0; fi
    log "attempt ${attempt} failed; retrying in $((attempt * 5)) s: $*"
    sleep $((attempt * 5))
  done
  die "gave up after 5 attempts: $*"
}

# The project number names Google's service agents. Scripts that grant them roles call this once
# at the top (not in a subshell, so the value is kept); it also proves the project exists and is
# visible before any change is made.
PROJECT_NUMBER=""
load_project_number() {
  PROJECT_NUMBER="$(value projectNumber projects describe "$PROJECT_ID")"
  [[ -n "$PROJECT_NUMBER" ]] || die "could not read the number of project $PROJECT_ID"
}
project_number() {
  [[ -n "$PROJECT_NUMBER" ]] || die "internal: load_project_number was not called"
  echo "$PROJECT_NUMBER"
}
pubsub_service_agent() { echo "service-$(project_number)@gcp-sa-pubsub.iam.gserviceaccount.com"; }

grant_project_role() { # member role
  with_retries gc projects add-iam-policy-binding "$PROJECT_ID" \
    --member="$1" --role="$2" --condition=None --format=none
}

grant_topic_role() { # topic member role
  with_retries gc pubsub topics add-iam-policy-binding "$1" \
    --member="$2" --role="$3" --format=none
}

ensure_topic() {
  local topic="$1"
  if exists pubsub topics describe "$topic"; then
    log "topic ${topic} exists"
    return
  fi
  log "creating topic ${topic}"
  # Message storage stays in the region: conversation content is personal data.
  gc pubsub topics create "$topic" --labels="$LABELS" \
    --message-storage-policy-allowed-regions="$REGION"
}

# A pull subscription that keeps everything for 31 days (the maximum), acknowledged or not, so an
# operator can read, replay (seek) or re-publish it; it never expires.
ensure_hold_subscription() {
  local subscription="$1" topic="$2"
  if exists pubsub subscriptions describe "$subscription"; then
    log "subscription ${subscription} exists"
    return
  fi
  log "creating hold subscription ${subscription} on ${topic}"
  gc pubsub subscriptions create "$subscription" --topic="$topic" --labels="$LABELS" \
    --message-retention-duration=31d --retain-acked-messages --expiration-period=never
}

# ensure_event_subscription DEPLOYMENT BASE FILTER
# The subscription that feeds one event-function deployment (BASE is the function it runs, e.g.
# automation for automation-acme): ordered by conversation (the publishers' ordering key),
# exponential retry, dead-lettering after MAX_DELIVERY_ATTEMPTS, never expiring (the default
# expires a subscription after 31 days without traffic, which a quiet brand could reach).
# It is created as a pull subscription and turned into a push subscription by
# wire_push_subscription once the function exists, so nothing published in between is lost.
# Ordering, filter and topic are immutable, so an existing subscription is checked against them
# instead of being silently kept; everything else is updated to the values here.
ensure_event_subscription() {
  local deployment="$1" base="$2" filter="$3"
  local topic subscription dlq agent
  topic="$(source_topic "$base")"
  subscription="$(push_subscription "$deployment")"
  dlq="$(dead_letter_topic "$deployment")"
  agent="serviceAccount:$(pubsub_service_agent)"

  ensure_topic "$dlq"
  ensure_hold_subscription "$(dead_letter_hold "$deployment")" "$dlq"
  # Dead-lettering is done by the Pub/Sub service agent: it publishes to the dead-letter topic
  # and acknowledges on the source subscription. Without both grants nothing is dead-lettered
  # and delivery attempts are not even counted.
  grant_topic_role "$dlq" "$agent" roles/pubsub.publisher

  local settings=(
    --ack-deadline="$(ack_deadline_seconds "$base")"
    --min-retry-delay="$MIN_RETRY_DELAY"
    --max-retry-delay="$MAX_RETRY_DELAY"
    --dead-letter-topic="$dlq"
    --max-delivery-attempts="$MAX_DELIVERY_ATTEMPTS"
    --message-retention-duration=7d
    --expiration-period=never
  )

  if exists pubsub subscriptions describe "$subscription"; then
    check_immutable "$subscription" topic "projects/${PROJECT_ID}/topics/${topic}"
    check_immutable "$subscription" enableMessageOrdering True
    check_immutable "$subscription" filter "$filter"
    log "updating subscription ${subscription}"
    gc pubsub subscriptions update "$subscription" "${settings[@]}" --update-labels="$LABELS"
  else
    log "creating subscription ${subscription} on ${topic}"
    local create=(--topic="$topic" --enable-message-ordering --labels="$LABELS")
    if [[ -n "$filter" ]]; then create+=(--message-filter="$filter"); fi
    gc pubsub subscriptions create "$subscription" "${create[@]}" "${settings[@]}"
  fi
  with_retries gc pubsub subscriptions add-iam-policy-binding "$subscription" \
    --member="$agent" --role=roles/pubsub.subscriber --format=none
}

check_immutable() { # subscription field expected
  local actual
  actual="$(value "$2" pubsub subscriptions describe "$1")"
  [[ "$actual" == "$3" ]] ||
    die "subscription $1 has $2='${actual}' but must have '$3'; this cannot be changed in place:" \
      "let it drain, delete it and run this script again (see infra/README.md)"
}

# function_uri DEPLOYMENT: the function's run.app URL, or nothing if it is not deployed yet.
function_uri() {
  if exists functions describe "$1" --region="$REGION"; then
    value serviceConfig.uri functions describe "$1" --region="$REGION"
  fi
}

# wire_push_subscription DEPLOYMENT BASE
# Points the deployment's subscription at its function with OIDC push auth, and lets the push
# identity (and only it) invoke the function. The function receives the standard push body,
# which functions-framework turns into the same CloudEvent an Eventarc trigger would deliver.
# With ALLOW_MISSING_FUNCTIONS=1 a function that is not deployed yet is skipped (first set-up);
# otherwise that is an error.
wire_push_subscription() {
  local deployment="$1" base="$2" uri push_sa
  uri="$(function_uri "$deployment")"
  if [[ -z "$uri" ]]; then
    if [[ "${ALLOW_MISSING_FUNCTIONS:-0}" == 1 ]]; then
      log "function ${deployment} is not deployed yet: its subscription stays pull and keeps" \
        "messages until the deploy build wires it"
      return
    fi
    die "function ${deployment} is not deployed in ${REGION}; deploy it first"
  fi
  push_sa="$(sa_email "$PUSH_SA_ID")"
  with_retries gc functions add-invoker-policy-binding "$deployment" --region="$REGION" \
    --member="serviceAccount:${push_sa}" --format=none
  log "wiring $(push_subscription "$deployment") to ${uri}"
  # The path names the topic so functions-framework puts it in the CloudEvent's source; the
  # audience stays the bare service URL, which is what Cloud Run checks the token against.
  gc pubsub subscriptions update "$(push_subscription "$deployment")" \
    --push-endpoint="${uri}/projects/${PROJECT_ID}/topics/$(source_topic "$base")" \
    --push-auth-service-account="$push_sa" \
    --push-auth-token-audience="$uri"
}
