#!/usr/bin/env bash
# One service account per function, plus the push identity, the deploy identity and the build
# identity, each with only the project-level roles it needs. Topic- and secret-level grants are
# made where those resources are created (20-pubsub.sh, 30-secrets.sh).
# Usage: PROJECT_ID=… REGION=… ENV=… infra/10-service-accounts.sh
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
load_project_number

ensure_service_account() { # id description
  if exists iam service-accounts describe "$(sa_email "$1")"; then
    log "service account $1 exists"
    return
  fi
  log "creating service account $1"
  gc iam service-accounts create "$1" --display-name="bm-pipeline ${ENV}: $2"
}

# Lets MEMBER act as (deploy functions running as, or sign tokens for) one service account.
grant_on_service_account() { # sa-id member role
  with_retries gc iam service-accounts add-iam-policy-binding "$(sa_email "$1")" \
    --member="$2" --role="$3" --format=none
}

for deployment in "${DEPLOYMENTS[@]}"; do
  ensure_service_account "$(runtime_sa_id "$deployment")" "runtime of ${deployment}"
done
ensure_service_account "$PUSH_SA_ID" "Pub/Sub push identity (invokes event functions)"
ensure_service_account "$DEPLOYER_SA_ID" "Cloud Build deployer (cloudbuild.yaml)"
ensure_service_account "$BUILDER_SA_ID" "builds function images"

# Firestore: every function that keeps conversation state. The webhook only verifies and
# publishes, so it has no database access at all.
for deployment in classifier automation live-agent agent-api sender; do
  grant_project_role "serviceAccount:$(sa_email "$(runtime_sa_id "$deployment")")" \
    roles/datastore.user
done

deployer="serviceAccount:$(sa_email "$DEPLOYER_SA_ID")"
deployer_roles=(
  roles/cloudfunctions.developer # deploy functions
  roles/run.admin                # invoker IAM on the Cloud Run services; --allow-unauthenticated
  roles/pubsub.editor            # point push subscriptions at deployed functions (wire.sh)
  roles/logging.logWriter        # build logs (the build runs with CLOUD_LOGGING_ONLY)
)
for role in "${deployer_roles[@]}"; do
  grant_project_role "$deployer" "$role"
done
# The deployer may act only as the accounts it deploys with, not as any account in the project.
for deployment in "${DEPLOYMENTS[@]}"; do
  grant_on_service_account "$(runtime_sa_id "$deployment")" "$deployer" roles/iam.serviceAccountUser
done
grant_on_service_account "$BUILDER_SA_ID" "$deployer" roles/iam.serviceAccountUser
grant_on_service_account "$PUSH_SA_ID" "$deployer" roles/iam.serviceAccountUser

# Builds of function images (buildpacks: npm ci, gcp-build, push to Artifact Registry).
grant_project_role "serviceAccount:$(sa_email "$BUILDER_SA_ID")" roles/cloudbuild.builds.builder

# Pub/Sub signs push requests as the push account. Projects whose Pub/Sub service agent dates
# from before 8 April 2021 also need this grant; it is scoped to the push account only.
grant_on_service_account "$PUSH_SA_ID" "serviceAccount:$(pubsub_service_agent)" \
  roles/iam.serviceAccountTokenCreator
